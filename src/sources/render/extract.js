// Runs in an isolated world of the rendered page (the page's scripts cannot see or replace it).
// `sample` records where positioned and clipped boxes are; `collect` (about a second later) tags
// every element with data-eldercheck-id, reads the computed values the checks judge, marks boxes
// that moved since the sample, and serialises the DOM. Both are bounded by MAX_ELEMENTS.
(() => {
  const MAX_ELEMENTS = 60000;
  const ID = 'data-eldercheck-id';

  // Where a box is against its parent's box: a layout shift moves both, so only a box that moved
  // by itself (a ticker, a carousel, a floating window) changes this.
  function relative(el) {
    const r = el.getBoundingClientRect();
    const parent = el.parentElement;
    const p = parent ? parent.getBoundingClientRect() : { x: 0, y: 0 };
    return [r.x - p.x, r.y - p.y];
  }

  function candidate(el, cs) {
    if (cs.position === 'fixed' || cs.position === 'absolute') return true;
    const parent = el.parentElement;
    if (!parent) return false;
    const ps = getComputedStyle(parent);
    return ps.overflowX !== 'visible' || ps.overflowY !== 'visible';
  }

  function sample() {
    const all = document.getElementsByTagName('*');
    const n = Math.min(all.length, MAX_ELEMENTS);
    const positions = new Map();
    for (let i = 0; i < n; i++) {
      const el = all[i];
      const cs = getComputedStyle(el);
      if (cs.display !== 'none' && candidate(el, cs)) positions.set(el, relative(el));
    }
    window.__eldercheckPositions = positions;
    return n;
  }

  function doctype() {
    const d = document.doctype;
    if (!d) return '';
    let text = '<!DOCTYPE ' + d.name;
    if (d.publicId) text += ' PUBLIC "' + d.publicId + '"';
    if (d.systemId) text += (d.publicId ? '' : ' SYSTEM') + ' "' + d.systemId + '"';
    return text + '>';
  }

  function collect(maxChars) {
    const positions = window.__eldercheckPositions || new Map();
    const all = document.getElementsByTagName('*');
    const n = Math.min(all.length, MAX_ELEMENTS);
    const sx = window.scrollX, sy = window.scrollY;
    const rendered = new Map();
    const elements = [];
    for (let i = 0; i < n; i++) {
      const el = all[i];
      el.setAttribute(ID, String(i));
      const cs = getComputedStyle(el);
      let shown = typeof el.checkVisibility === 'function' ? el.checkVisibility() : cs.display !== 'none';
      // `display: contents` has no box of its own; its text shows if its parent does.
      if (!shown && cs.display === 'contents') {
        shown = el.parentElement ? rendered.get(el.parentElement) !== false : true;
      }
      rendered.set(el, shown);
      const r = el.getBoundingClientRect();
      const before = positions.get(el);
      let moved = false;
      if (before && shown) {
        const now = relative(el);
        moved = Math.abs(now[0] - before[0]) + Math.abs(now[1] - before[1]) >= 2;
      }
      let audible = false;
      if (el instanceof HTMLMediaElement) {
        const long = el.loop || !isFinite(el.duration) || el.duration > 3;
        audible = !el.paused && !el.muted && el.volume > 0 && long;
      }
      const box = r.width > 0 || r.height > 0
        ? { x: r.x + sx, y: r.y + sy, width: r.width, height: r.height }
        : null;
      elements.push({
        id: i,
        rendered: shown,
        visibility: cs.visibility,
        font_size: cs.fontSize,
        font_weight: cs.fontWeight,
        color: cs.color,
        background_color: cs.backgroundColor,
        opacity: cs.opacity,
        line_height: cs.lineHeight,
        position: cs.position,
        z_index: cs.zIndex,
        bounds: box,
        moved: moved,
        audible: audible,
      });
    }
    const root = document.documentElement;
    const html = root ? doctype() + root.outerHTML : '';
    if (html.length > maxChars) {
      return JSON.stringify({ too_large: html.length });
    }
    const scroller = document.scrollingElement || root;
    return JSON.stringify({
      html: html,
      compat_mode: document.compatMode,
      facts: {
        elements: elements,
        viewport_width: window.innerWidth,
        viewport_height: window.innerHeight,
        document_height: scroller ? scroller.scrollHeight : window.innerHeight,
      },
    });
  }

  return { sample: sample, collect: collect };
})()
