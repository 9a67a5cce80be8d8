// Runs in an isolated world of the rendered page (the page's scripts cannot see or replace it).
//
// - `sample()` records where positioned and clipped boxes are.
// - `collect(maxChars)` (about a second later) walks the composed tree (open shadow roots flattened
//   in, slots holding what is assigned to them), numbers every element (data-eldercheck-id, in
//   the copy only), reads the computed values the checks judge, marks boxes that moved since the
//   sample, counts text lines, and serialises what it walked as HTML. Iterative: no recursion
//   whose depth a page decides.
// - `stillListening()` says how long to wait before media can be told silent or sounding.
// - `backdropCandidates()` lists text over images, gradients or with shadows, whose contrast only
//   pixels can tell; `hideText(id)`/`showText(id)` let the renderer photograph them without glyphs.
// - `focusProbe()` focuses each focusable element inside aria-hidden and notes whether focus stays.
(() => {
  const MAX_ELEMENTS = 60000;
  const MAX_BACKDROPS = 12;
  const MAX_PROBES = 200;
  // Ancestors looked through for the background behind a text.
  const MAX_BACKDROP_ANCESTORS = 64;
  const ID = 'data-eldercheck-id';
  const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'keygen', 'link', 'meta', 'param', 'source', 'track', 'wbr']);
  // Elements whose text the HTML parser takes as it is (in the HTML namespace only: an SVG <style>
  // is ordinary content). Their text is written so that it cannot close them: a page must not be
  // able to make the engine read markup it hides in a script or a style.
  const RAW = new Set(['script', 'style', 'iframe', 'noembed', 'noframes', 'noscript']);
  // Elements that swallow everything after them when parsed (<plaintext>) or whose text would be
  // read as raw again (<xmp>): written as <pre> with their text escaped.
  const AS_PRE = new Set(['plaintext', 'xmp']);
  const HTML_NS = 'http://www.w3.org/1999/xhtml';
  const DOCUMENT_ONLY = new Set(['title', 'base', 'meta']);
  const tagged = [];
  // Ids of tagged elements inside aria-hidden="true" (or carrying it), noted by the walk.
  const insideHidden = [];

  // Where a box's centre is, relative to its parent's corner: a box spinning or pulsing in place
  // keeps its centre; one that floats across the page does not. `null` for an element without a
  // box (an SVG <defs>, an empty span): nothing a reader could see move.
  function relative(el) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) return null;
    const parent = el.parentElement;
    const p = parent ? parent.getBoundingClientRect() : { x: 0, y: 0 };
    return [r.x + r.width / 2 - p.x, r.y + r.height / 2 - p.y];
  }

  function sample() {
    window.__eldercheckPositions = positionsNow();
    listen();
  }

  function positionsNow() {
    const all = document.getElementsByTagName('*');
    const n = Math.min(all.length, MAX_ELEMENTS);
    const positions = new Map();
    // Elements that clip their content (carousels, tickers): a parent comes before its children in
    // document order, so each element's style is read once.
    const clipping = new Set();
    for (let i = 0; i < n; i++) {
      const el = all[i];
      const cs = getComputedStyle(el);
      if (cs.overflowX !== 'visible' || cs.overflowY !== 'visible') clipping.add(el);
      const positioned = cs.position === 'fixed' || cs.position === 'absolute';
      if (cs.display === 'none' || !(positioned || clipping.has(el.parentElement))) continue;
      const at = relative(el);
      if (at) positions.set(el, at);
    }
    return positions;
  }

  // Media playing (or starting) between the sample and the collection is routed through an
  // analyser, so that a track of silence (an audio track with nothing in it) can be told from
  // sound. Only media the page may read: a cross-origin file without CORS gives the analyser
  // zeros, which would pass for silence, so it is left unheard.
  const MAX_LISTENED = 16;
  const HEARD_ENOUGH = 0.5;
  const ears = new Map();
  let audio = null;
  function listen() {
    const hear = (el) => {
      if (!(el instanceof HTMLMediaElement) || ears.has(el) || ears.size >= MAX_LISTENED || el.srcObject) return;
      const src = el.currentSrc || '';
      let readable = src.startsWith('blob:') || src.startsWith('data:') || el.crossOrigin !== null;
      try { readable = readable || new URL(src, location.href).origin === location.origin; } catch (e) { return; }
      if (!readable) return;
      try {
        audio = audio || new AudioContext();
        const source = audio.createMediaElementSource(el);
        const analyser = audio.createAnalyser();
        source.connect(analyser);
        analyser.connect(audio.destination);
        ears.set(el, { analyser: analyser, peak: 0, from: null, to: null });
      } catch (e) {
        // The page routed it through an AudioContext of its own already.
      }
    };
    for (const el of document.querySelectorAll('audio, video')) if (!el.paused) hear(el);
    document.addEventListener('playing', (event) => hear(event.target), true);
    const buffer = new Float32Array(2048);
    setInterval(() => {
      for (const [el, ear] of ears) {
        if (el.paused || el.muted) continue;
        ear.analyser.getFloatTimeDomainData(buffer);
        for (let i = 0; i < buffer.length; i++) ear.peak = Math.max(ear.peak, Math.abs(buffer[i]));
        if (ear.from === null) ear.from = el.currentTime;
        ear.to = el.currentTime;
      }
    }, 50);
  }

  // Milliseconds still to listen before silence could be told: media heard for less than half a
  // second, or autoplaying media still loading. The renderer waits that long (bounded) before it reads.
  function stillListening() {
    let wait = 0;
    for (const [el, ear] of ears) {
      if (el.paused || el.muted || el.ended) continue;
      const heard = ear.from === null ? 0 : ear.to - ear.from;
      if (heard < HEARD_ENOUGH) wait = Math.max(wait, (HEARD_ENOUGH - heard) * 1000 + 100);
    }
    for (const el of document.querySelectorAll('audio[autoplay], video[autoplay]')) {
      if (el.paused && !el.ended && !el.muted && el.networkState === HTMLMediaElement.NETWORK_LOADING) wait = Math.max(wait, 300);
    }
    return Math.ceil(wait);
  }

  // Heard playing for half a second with nothing but zeros: a track of silence.
  function heardSilence(el) {
    const ear = ears.get(el);
    return !!ear && audio !== null && audio.state === 'running' && ear.from !== null &&
      ear.to - ear.from >= HEARD_ENOUGH && ear.peak === 0;
  }

  function doctype() {
    const d = document.doctype;
    if (!d) return '';
    // A script can put a doctype of its own in; quotes or a `>` in its ids must not end it.
    const id = (s) => s.replace(/["'>]/g, '');
    let text = '<!DOCTYPE ' + id(d.name);
    if (d.publicId) text += ' PUBLIC "' + id(d.publicId) + '"';
    if (d.systemId) text += (d.publicId ? '' : ' SYSTEM') + ' "' + id(d.systemId) + '"';
    return text + '>';
  }

  // Raw text that cannot end its element or start a comment the parser would honour.
  function escapeRaw(s) {
    return s.replace(/<\//g, '<\\/').replace(/<!--/g, '<\\!--');
  }

  function serialisedName(node) {
    return node.namespaceURI === HTML_NS && AS_PRE.has(node.localName) ? 'pre' : node.localName;
  }

  function escapeText(s) {
    return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\u00a0/g, '&nbsp;');
  }

  function escapeAttr(s) {
    return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/\u00a0/g, '&nbsp;');
  }

  // What is drawn inside a node: a shadow host shows its shadow tree; a slot shows what is assigned.
  function composedChildren(node) {
    if (node.nodeType === 1) {
      if (node.shadowRoot) return Array.from(node.shadowRoot.childNodes);
      if (node.localName === 'slot' && node.getRootNode() instanceof ShadowRoot) {
        const assigned = node.assignedNodes();
        return assigned.length ? assigned : Array.from(node.childNodes);
      }
      if (node.localName === 'template') return Array.from(node.content.childNodes);
    }
    return Array.from(node.childNodes);
  }

  // Lines of the element's own text: distinct tops of its text nodes' line boxes.
  function lines(el) {
    const tops = new Set();
    for (const child of el.childNodes) {
      if (child.nodeType !== 3 || !child.data.trim()) continue;
      const range = document.createRange();
      range.selectNodeContents(child);
      for (const rect of range.getClientRects()) {
        if (rect.width > 0) tops.add(Math.round(rect.top));
      }
    }
    return tops.size;
  }

  function describe(el, id, positions, rendered, sx, sy) {
    const cs = getComputedStyle(el);
    let shown = typeof el.checkVisibility === 'function' ? el.checkVisibility() : cs.display !== 'none';
    // `display: contents` has no box of its own; its text shows if its parent does.
    if (!shown && cs.display === 'contents') {
      const parent = el.parentElement || (el.getRootNode() && el.getRootNode().host);
      shown = parent ? rendered.get(parent) !== false : true;
    }
    rendered.set(el, shown);
    const r = el.getBoundingClientRect();
    const before = positions.get(el);
    let moved = false;
    if (before && shown) {
      const now = relative(el);
      moved = now !== null && Math.abs(now[0] - before[0]) + Math.abs(now[1] - before[1]) >= 2;
    }
    // Playing with sound for more than 3 s: a media fragment (`#t=8,10`) bounds how long it plays;
    // media with no audio track (nothing decoded after playing a while), with a track of silence,
    // muted or at volume 0 is silent.
    let audible = false, silent = false;
    if (el instanceof HTMLMediaElement) {
      const fragment = /#t=(?:npt:)?([\d.:]*),([\d.:]+)/.exec(el.currentSrc || '');
      const seconds = (v) => v.split(':').reduce((a, p) => a * 60 + Number(p || 0), 0);
      const span = fragment ? seconds(fragment[2]) - seconds(fragment[1]) : el.duration;
      const long = el.loop || !isFinite(span) || span > 3;
      const noTrack = typeof el.webkitAudioDecodedByteCount === 'number' && el.readyState >= 2
        && el.currentTime > 0.2 && el.webkitAudioDecodedByteCount === 0;
      const playing = !el.paused;
      silent = playing && (el.muted || el.volume === 0 || noTrack || heardSilence(el));
      audible = playing && !silent && long;
    }
    const box = r.width > 0 || r.height > 0 ? { x: r.x + sx, y: r.y + sy, width: r.width, height: r.height } : null;
    return {
      id: id,
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
      silent: silent,
      lines: shown ? lines(el) : 0,
    };
  }

  function collect(maxChars) {
    const positions = window.__eldercheckPositions || new Map();
    const sx = window.scrollX, sy = window.scrollY;
    const rendered = new Map();
    const elements = [];
    const out = [doctype()];
    let length = out[0].length;
    const root = document.documentElement;
    // Frames of the walk: [node, children, next child index, whether it sets aria-hidden="true"].
    const stack = root ? [[root, null, 0, false]] : [];
    let hiddenDepth = 0;
    while (stack.length) {
      const frame = stack[stack.length - 1];
      const node = frame[0];
      if (frame[1] === null) {
        // Entering the node.
        if (node.nodeType === 1 && DOCUMENT_ONLY.has(node.localName) && node.getRootNode() instanceof ShadowRoot) {
          // A <title>, <base> or <meta> in a shadow tree does nothing for the document: flattened into
          // the copy it would become the page's title (ACT 2779a5).
          stack.pop();
          continue;
        }
        if (node.nodeType === 1) {
          const name = serialisedName(node);
          const hides = node.getAttribute('aria-hidden') === 'true';
          let start = '<' + name;
          // The id goes into the serialised page only: tagging the live DOM would make the browser
          // work out every element's style again before the next picture.
          if (tagged.length < MAX_ELEMENTS) {
            const id = tagged.length;
            start += ' ' + ID + '="' + id + '"';
            tagged.push(node);
            elements.push(describe(node, id, positions, rendered, sx, sy));
            if (hides || hiddenDepth > 0) insideHidden.push(id);
          }
          // A page's own attribute of that name is not ours to trust.
          for (const a of node.attributes) if (a.name !== ID) start += ' ' + a.name + '="' + escapeAttr(a.value) + '"';
          start += '>';
          out.push(start);
          length += start.length;
          if (VOID.has(name)) {
            stack.pop();
            continue;
          }
          frame[1] = composedChildren(node);
          frame[3] = hides;
          if (hides) hiddenDepth += 1;
        } else {
          stack.pop();
          let text = '';
          // Comments are left out: nothing is judged on them, and their text could end them early.
          if (node.nodeType === 3) {
            const parent = node.parentNode;
            const raw = parent && parent.nodeType === 1 && parent.namespaceURI === HTML_NS && RAW.has(parent.localName);
            text = raw ? escapeRaw(node.data) : escapeText(node.data);
          }
          out.push(text);
          length += text.length;
          if (length > maxChars) return JSON.stringify({ too_large: length });
          continue;
        }
      }
      if (frame[2] < frame[1].length) {
        const child = frame[1][frame[2]];
        frame[2] += 1;
        stack.push([child, null, 0, false]);
      } else {
        stack.pop();
        if (frame[3]) hiddenDepth -= 1;
        const name = serialisedName(node);
        out.push('</' + name + '>');
        length += name.length + 3;
      }
      if (length > maxChars) return JSON.stringify({ too_large: length });
    }
    const scroller = document.scrollingElement || root;
    return JSON.stringify({
      location: String(location.href),
      html: out.join(''),
      facts: {
        elements: elements,
        viewport_width: window.innerWidth,
        viewport_height: window.innerHeight,
        document_height: scroller ? scroller.scrollHeight : window.innerHeight,
      },
    });
  }

  // Whether an element's text is drawn over a background image or gradient: the nearest of it and
  // its ancestors with a background decides. Answers are kept for every element on the way up, so
  // a page's texts share one walk up each branch (linear work however deep a page nests; a text
  // more than MAX_BACKDROP_ANCESTORS levels below its background counts as having none).
  const imageBehindOf = new Map();
  function imageBehind(el) {
    const path = [];
    let answer = false;
    for (let a = el, steps = 0; a; a = a.parentElement, steps++) {
      if (imageBehindOf.has(a)) {
        answer = imageBehindOf.get(a);
        break;
      }
      if (steps >= MAX_BACKDROP_ANCESTORS) break;
      path.push(a);
      const s = getComputedStyle(a);
      if (s.backgroundImage !== 'none') {
        answer = true;
        break;
      }
      if (s.backgroundColor !== 'rgba(0, 0, 0, 0)' && s.backgroundColor !== 'transparent') break;
    }
    for (const a of path) imageBehindOf.set(a, answer);
    return answer;
  }

  function ownText(el) {
    for (let c = el.firstChild; c; c = c.nextSibling) if (c.nodeType === 3 && c.data.trim()) return true;
    return false;
  }

  // Text whose backdrop is not one colour: over a background image or gradient, or with a shadow.
  function backdropCandidates() {
    const found = [];
    for (let id = 0; id < tagged.length && found.length < MAX_BACKDROPS; id++) {
      const el = tagged[id];
      if (!ownText(el)) continue;
      if (getComputedStyle(el).textShadow === 'none' && !imageBehind(el)) continue;
      const range = document.createRange();
      range.selectNodeContents(el);
      const r = range.getBoundingClientRect();
      if (r.width < 1 || r.height < 1 || r.bottom <= 0 || r.right <= 0) continue;
      // Inside the first screen of an unscrolled page: photographed without laying the page out again.
      const inView = window.scrollX === 0 && window.scrollY === 0 && r.x >= 0 && r.y >= 0 &&
        r.right <= window.innerWidth && r.bottom <= window.innerHeight;
      found.push({ id: id, x: r.x + window.scrollX, y: r.y + window.scrollY, width: r.width, height: r.height, in_view: inView });
    }
    return JSON.stringify(found);
  }

  function hideText(id) {
    const el = tagged[id];
    if (el) el.style.setProperty('-webkit-text-fill-color', 'transparent', 'important');
    return 0;
  }

  function showText(id) {
    const el = tagged[id];
    if (el) el.style.removeProperty('-webkit-text-fill-color');
    return 0;
  }

  // Focusable elements inside aria-hidden whose focus is moved elsewhere at once (a focus sentinel).
  function focusProbe() {
    const escapes = [];
    let probed = 0;
    for (let i = 0; i < insideHidden.length && probed < MAX_PROBES; i++) {
      const id = insideHidden[i];
      const el = tagged[id];
      if (el.tabIndex < 0 || typeof el.focus !== 'function') continue;
      probed += 1;
      el.focus();
      if (document.activeElement !== el && document.activeElement !== document.body) escapes.push(id);
      if (document.activeElement && document.activeElement.blur) document.activeElement.blur();
    }
    return JSON.stringify(escapes);
  }

  // ---- Font scaling (called last, once everything else is read; see src/browser/scaling.rs) ----
  // `layout()` measures every visible text the walk tagged (at most MAX_TEXTS): its font size, the
  // boxes of its own lines, whether a box that hides overflow cuts it, and how far the document
  // scrolls sideways. The renderer measures the page as loaded, then again with the text doubled,
  // the spacing widened and a 320 px viewport, and compares.
  const MAX_TEXTS = 3000;
  const MAX_LINE_RECTS = 6;
  // Clipping ancestors (overflow hidden/clip) remembered per element, nearest first.
  const MAX_CLIPPERS = 4;
  const MAX_STICKING_OUT = 20;
  const CLIP_SLACK = 2;

  let ids = null;
  function idOf(el) {
    if (ids === null) {
      ids = new Map();
      tagged.forEach((t, i) => ids.set(t, i));
    }
    const id = ids.get(el);
    return id === undefined ? -1 : id;
  }

  function clips(cs) {
    const hides = (v) => v === 'hidden' || v === 'clip';
    return [hides(cs.overflowX), hides(cs.overflowY)];
  }

  // Each element's clipping ancestors (itself included) and whether it sits in a fixed box, worked
  // out once per branch (linear however deep the page nests: every element's answer is kept).
  function clippersOf(el, memo) {
    const path = [];
    let found = null;
    for (let a = el; a; a = a.parentElement) {
      if (memo.has(a)) { found = memo.get(a); break; }
      path.push(a);
    }
    let inherited = found || { clippers: [], fixed: false };
    for (let i = path.length - 1; i >= 0; i--) {
      const a = path[i];
      const cs = getComputedStyle(a);
      const [x, y] = clips(cs);
      let list = inherited.clippers;
      if ((x || y) && a !== document.documentElement && a !== document.body) {
        list = [{ el: a, x: x, y: y }].concat(list).slice(0, MAX_CLIPPERS);
      }
      inherited = { clippers: list, fixed: inherited.fixed || cs.position === 'fixed' };
      memo.set(a, inherited);
    }
    return inherited;
  }

  // Whether the element's text is drawn: shown, not transparent, not faded out to nothing.
  function painted(el) {
    if (typeof el.checkVisibility === 'function' &&
        !el.checkVisibility({ visibilityProperty: true, opacityProperty: true })) return false;
    const cs = getComputedStyle(el);
    const invisible = (c) => c === 'transparent' || /^rgba\(.*,\s*0\)$/.test(c);
    return !invisible(cs.color) && !invisible(cs.webkitTextFillColor || cs.color);
  }

  // Line boxes of the element's own text, in document px; lines wholly off the page (text pushed
  // out with text-indent, sr-only tricks) are left out.
  function ownLineRects(el, sx, sy) {
    const rects = [];
    for (let c = el.firstChild; c && rects.length < MAX_LINE_RECTS; c = c.nextSibling) {
      if (c.nodeType !== 3 || !c.data.trim()) continue;
      const range = document.createRange();
      range.selectNodeContents(c);
      for (const r of range.getClientRects()) {
        if (r.width < 1 || r.height < 1 || r.right + sx <= 0 || r.bottom + sy <= 0) continue;
        rects.push([r.left + sx, r.top + sy, r.width, r.height]);
        if (rects.length >= MAX_LINE_RECTS) break;
      }
    }
    return rects;
  }

  // How much of the text's lines lies outside a box that hides its overflow, in px (0: none).
  function lostToClipping(rects, clippers, sx, sy) {
    let lost = 0, by = -1, box = null;
    for (const c of clippers) {
      const b = c.el.getBoundingClientRect();
      const left = b.left + sx + c.el.clientLeft, top = b.top + sy + c.el.clientTop;
      const right = left + c.el.clientWidth, bottom = top + c.el.clientHeight;
      if (c.el.clientWidth === 0 && c.el.clientHeight === 0) continue;
      for (const [x, y, w, h] of rects) {
        let out = 0;
        if (c.x) out = Math.max(out, left - x, x + w - right);
        if (c.y) out = Math.max(out, top - y, y + h - bottom);
        if (out > CLIP_SLACK && out > lost) { lost = out; by = idOf(c.el); box = [left, top, right - left, bottom - top]; }
      }
    }
    return [lost, by, box];
  }

  // The parts of the lines a reader sees: each cut to the boxes that hide overflow around it. A
  // line wholly cut away is left out (it overlaps nothing on screen).
  function visibleParts(rects, clippers, sx, sy) {
    const boxes = clippers.map((c) => {
      const b = c.el.getBoundingClientRect();
      const left = b.left + sx + c.el.clientLeft, top = b.top + sy + c.el.clientTop;
      return [c.x ? left : -Infinity, c.y ? top : -Infinity, c.x ? left + c.el.clientWidth : Infinity, c.y ? top + c.el.clientHeight : Infinity];
    });
    const out = [];
    for (const [x, y, w, h] of rects) {
      let [l, t, r, b] = [x, y, x + w, y + h];
      for (const [bl, bt, br, bb] of boxes) {
        l = Math.max(l, bl); t = Math.max(t, bt); r = Math.min(r, br); b = Math.min(b, bb);
      }
      if (r - l >= 1 && b - t >= 1) out.push([l, t, r - l, b - t]);
    }
    return out;
  }

  function layout() {
    const sx = window.scrollX, sy = window.scrollY;
    const memo = new Map();
    const texts = [];
    for (let id = 0; id < tagged.length && texts.length < MAX_TEXTS; id++) {
      const el = tagged[id];
      if (el.nodeType !== 1 || !ownText(el) || !painted(el)) continue;
      const rects = ownLineRects(el, sx, sy);
      if (!rects.length) continue;
      const cs = getComputedStyle(el);
      const info = clippersOf(el, memo);
      const [lost, by, box] = lostToClipping(rects, info.clippers, sx, sy);
      const shown = visibleParts(rects, info.clippers, sx, sy);
      texts.push({ id: id, size: parseFloat(cs.fontSize) || 0, rects: shown, lost: Math.round(lost), clipped_by: by, clip_box: box });
    }
    const scroller = document.scrollingElement || document.documentElement;
    const vw = document.documentElement.clientWidth || window.innerWidth;
    const scrollWidth = scroller ? scroller.scrollWidth : vw;
    // The elements that stick out of the viewport on the right first (their parent does not), which
    // make the page scroll sideways: not inside a box that hides overflow, nor fixed to the screen.
    const sticking = [];
    if (scrollWidth > vw + 1) {
      for (let id = 0; id < tagged.length; id++) {
        const el = tagged[id];
        if (el.nodeType !== 1 || el === document.body || el === document.documentElement) continue;
        const r = el.getBoundingClientRect();
        if (r.width === 0 || r.right + sx <= vw + 1) continue;
        const parent = el.parentElement;
        if (parent && parent !== document.body && parent !== document.documentElement) {
          const p = parent.getBoundingClientRect();
          if (p.right + sx > vw + 1) continue;
        }
        const info = clippersOf(el, memo);
        if (info.fixed || info.clippers.some((c) => c.x && c.el !== el)) continue;
        sticking.push({ id: id, right: Math.round(r.right + sx), width: Math.round(r.width), kind: exemptKind(el) });
        if (sticking.length >= MAX_STICKING_OUT) break;
      }
      sticking.sort((a, b) => b.right - a.right);
    }
    return JSON.stringify({ viewport_width: vw, scroll_width: scrollWidth, texts: texts, sticking_out: sticking });
  }

  // Content that needs two dimensions to be read (WCAG 1.4.10's exception): a data table, an
  // image, a map, a video, a drawing, code. An element inside one counts as it.
  const TWO_DIMENSIONAL = new Set(['img', 'picture', 'video', 'canvas', 'svg', 'iframe', 'object', 'embed', 'pre', 'code', 'map']);
  function exemptKind(el) {
    for (let a = el, steps = 0; a && steps < 32; a = a.parentElement, steps++) {
      const name = a.localName;
      if (TWO_DIMENSIONAL.has(name)) return name;
      if (name === 'table') {
        const role = (a.getAttribute('role') || '').trim();
        if (role === 'presentation' || role === 'none') return '';
        const rows = a.rows ? a.rows.length : 0;
        const dataLike = a.querySelector('th') !== null || (rows >= 2 && a.rows[0].cells.length >= 3);
        return dataLike ? 'table' : '';
      }
    }
    return '';
  }

  // The W3C text-spacing bookmarklet's values (WCAG 1.4.12), applied to every element.
  const SPACING_ID = 'eldercheck-text-spacing';
  function widenSpacing(on) {
    const old = document.getElementById(SPACING_ID);
    if (old) old.remove();
    if (on) {
      const style = document.createElement('style');
      style.id = SPACING_ID;
      style.textContent = '* { line-height: 1.5 !important; letter-spacing: 0.12em !important; word-spacing: 0.16em !important; }' +
        ' p { margin-bottom: 2em !important; }';
      (document.head || document.documentElement).appendChild(style);
    }
    // No layout forced here: the next measurement lays the page out once, with every change made.
    return 0;
  }

  // Controls that may switch the elder mode on: links and buttons whose text, label, title or image
  // text contains one of `words`; the renderer decides which counts (checks/src/elder.rs).
  // A control's name as a reader sees it: its label attributes and the text and image text of its
  // first few nodes. Not `textContent`: a page nesting thousands of links inside each other would
  // make reading every link's text take the square of the page.
  const CONTROL_NODES = 12;
  function controlText(el) {
    const parts = [el.getAttribute('aria-label'), el.getAttribute('title'), el.value, el.alt];
    const queue = [el];
    for (let seen = 0; queue.length && seen < CONTROL_NODES; seen++) {
      const node = queue.shift();
      for (let c = node.firstChild; c && queue.length < CONTROL_NODES; c = c.nextSibling) {
        if (c.nodeType === 3) parts.push(c.data);
        else if (c.nodeType === 1) {
          if (c.localName === 'img') parts.push(c.getAttribute('alt'));
          queue.push(c);
        }
      }
    }
    return parts.filter((t) => typeof t === 'string' && t).join(' ').replace(/\s+/g, ' ').trim().slice(0, 80);
  }

  function entryCandidates(words) {
    const found = [];
    const lower = words.map((w) => w.toLowerCase());
    for (let id = 0; id < tagged.length && found.length < 40; id++) {
      const el = tagged[id];
      if (el.nodeType !== 1) continue;
      const name = el.localName;
      const role = (el.getAttribute('role') || '').trim();
      const control = (name === 'a' && el.hasAttribute('href')) || name === 'button' || role === 'button' || role === 'link' ||
        (name === 'input' && /^(button|submit|image)$/i.test(el.type)) || el.hasAttribute('onclick');
      if (!control) continue;
      const text = controlText(el);
      const t = text.toLowerCase();
      if (!lower.some((w) => t.includes(w))) continue;
      const r = el.getBoundingClientRect();
      const shown = r.width > 0 && r.height > 0 && (typeof el.checkVisibility !== 'function' || el.checkVisibility({ visibilityProperty: true }));
      found.push({ id: id, text: text, href: name === 'a' ? el.href : null, shown: shown });
    }
    return JSON.stringify(found);
  }

  // The size most of the page's visible text is set in: the median over characters, so that a
  // page of one big headline and much small body text reads as small. With how many texts a box cuts.
  function mainText() {
    const sizes = [];
    let clipped = 0;
    const memo = new Map();
    const sx = window.scrollX, sy = window.scrollY;
    const all = document.body ? document.body.getElementsByTagName('*') : [];
    let texts = 0;
    for (let i = 0; i < all.length && texts < MAX_TEXTS; i++) {
      const el = all[i];
      if (!ownText(el) || el.closest('script, style, noscript, template')) continue;
      if (typeof el.checkVisibility === 'function' && !el.checkVisibility({ visibilityProperty: true })) continue;
      const rects = ownLineRects(el, sx, sy);
      if (!rects.length) continue;
      texts += 1;
      let chars = 0;
      for (let c = el.firstChild; c; c = c.nextSibling) if (c.nodeType === 3) chars += c.data.trim().length;
      const size = parseFloat(getComputedStyle(el).fontSize) || 0;
      sizes.push([size, chars]);
      // A glyph box overhangs its line by up to a quarter of the size without losing ink (see
      // checks/src/rules/shared/scaling.rs).
      if (lostToClipping(rects, clippersOf(el, memo).clippers, sx, sy)[0] > Math.max(CLIP_SLACK, 0.25 * size)) clipped += 1;
    }
    sizes.sort((a, b) => a[0] - b[0]);
    const total = sizes.reduce((n, s) => n + s[1], 0);
    let seen = 0, median = 0;
    for (const [size, chars] of sizes) {
      seen += chars;
      median = size;
      if (seen * 2 >= total) break;
    }
    return JSON.stringify({ px: median, texts: texts, chars: total, clipped: clipped, location: String(location.href) });
  }

  // Presses a control as a reader would: its own click handlers run, a link is followed.
  function press(id) {
    const el = tagged[id];
    if (!el || !el.isConnected) return false;
    el.scrollIntoView({ block: 'center' });
    el.click();
    return true;
  }

  // After an accessibility toolbar opened: its "larger text" control (toolbars draw their buttons as
  // links, buttons, or list items and boxes with click handlers).
  const LARGER = /放大|大字|字体加大|字号加大|文字放大|A\+/;
  const MAX_TOOLBAR_CONTROLS = 20000;
  function largerTextControl() {
    const all = document.querySelectorAll('a, button, [role="button"], [onclick], li, span, div');
    for (let i = 0; i < all.length && i < MAX_TOOLBAR_CONTROLS; i++) {
      const el = all[i];
      const text = controlText(el);
      if (text.length > 12 || !LARGER.test(text) || /缩小|还原|重置/.test(text)) continue;
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) continue;
      el.click();
      return text.slice(0, 40);
    }
    return null;
  }

  // ---- A reader's interactions (src/browser/interact.rs), after everything else is read ----
  // The keyboard walk: `keyStart()` clears focus and starts noting where focus was when each key
  // arrived; after every Tab the renderer sends, `keyStep()` says where focus is, whether it can be
  // seen there, and whether the element it left showed that it had focus.
  const MAX_LOOK_ANCESTORS = 40;
  let keyState = null;
  const keys = new WeakMap();
  let nextKey = 1;
  function keyOf(el) {
    if (!el) return 0;
    let key = keys.get(el);
    if (!key) { key = nextKey++; keys.set(el, key); }
    return key;
  }
  // The focused element, inside open shadow roots (bounded: a page decides how deep they nest).
  function deepActive() {
    let el = document.activeElement;
    for (let steps = 0; el && el.shadowRoot && el.shadowRoot.activeElement && steps < 32; steps++) el = el.shadowRoot.activeElement;
    return el;
  }
  function atEnd(el) {
    return !el || el === document.body || el === document.documentElement;
  }
  // Focus taken out of the page without the page's focus handlers hearing of it (a trap's blur
  // handler would pull it back and start the walk inside the trap); `keyRelease()` lets them hear
  // again before the walk.
  const unheard = (e) => e.stopImmediatePropagation();
  let deaf = false;
  // Where a walk starts: an unfocusable-by-Tab mark at the start (or, going backwards, the end)
  // of the page, focused, so that the first key moves from there (the browser otherwise moves on
  // from wherever focus last was).
  let startMark = null;
  const INSTANT_ID = 'eldercheck-instant-scroll';
  function keyReset(back) {
    if (!keyState) {
      keyState = { atKey: 0, prev: null, prevLook: null };
      window.addEventListener('keydown', () => {
        if (keyState.log) {
          if (keyState.batched && keyState.log.length < 1000) keyState.log.push(stepNow());
          keyState.batched = true;
        }
        const a = deepActive();
        keyState.atKey = atEnd(a) || a === startMark ? 0 : keyOf(a);
        // Whether the key itself took focus out of the page (to the browser's own controls), seen
        // as focus moves, before any timer of the page's can pull it back.
        keyState.landedEnd = false;
        keyState.pressing = true;
        setTimeout(() => { keyState.pressing = false; }, 0);
      }, true);
      window.addEventListener('focusout', (e) => { if (keyState.pressing && !e.relatedTarget) keyState.landedEnd = true; }, true);
    }
    if (!deaf) {
      for (const type of ['blur', 'focusout', 'focus', 'focusin']) window.addEventListener(type, unheard, true);
      deaf = true;
    }
    keyState.prev = null;
    keyState.prevLook = null;
    clipMemo = null;
    const active = deepActive();
    if (active && !atEnd(active) && active !== startMark && active.blur) active.blur();
    if (!startMark) {
      startMark = document.createElement('span');
      startMark.tabIndex = -1;
      startMark.setAttribute('style', 'position:absolute;left:0;top:0;width:1px;height:1px;opacity:0;overflow:hidden');
    }
    // Focus scrolls its element into view at once, as without `scroll-behavior: smooth`: a page
    // still gliding there would have the element read as off the screen.
    if (!document.getElementById(INSTANT_ID)) {
      const style = document.createElement('style');
      style.id = INSTANT_ID;
      style.textContent = '* { scroll-behavior: auto !important; }';
      (document.head || document.documentElement).appendChild(style);
    }
    const body = document.body || document.documentElement;
    if (back) body.appendChild(startMark); else body.insertBefore(startMark, body.firstChild);
    startMark.focus({ preventScroll: true });
    scrollTo(0, 0);
    const now = deepActive();
    return atEnd(now) || now === startMark;
  }
  function keyRelease() {
    for (const type of ['blur', 'focusout', 'focus', 'focusin']) window.removeEventListener(type, unheard, true);
    deaf = false;
    return 0;
  }
  function rgba(text) {
    const m = /rgba?\(([^)]+)\)/.exec(text || '');
    if (!m) return null;
    const v = m[1].split(/[\s,\/]+/).filter(Boolean).map(parseFloat);
    if (v.length < 3 || v.some((n) => isNaN(n))) return null;
    return [v[0], v[1], v[2], v.length > 3 ? v[3] : 1];
  }
  function over(top, bottom) {
    const a = top[3];
    return [0, 1, 2].map((i) => top[i] * a + bottom[i] * (1 - a)).concat([1]);
  }
  // The colour behind an element: the first ancestor's opaque enough background, else white.
  function backdropOf(el) {
    let colour = [255, 255, 255, 1];
    const layers = [];
    for (let a = el && el.parentElement, steps = 0; a && steps < MAX_LOOK_ANCESTORS; a = a.parentElement, steps++) {
      const c = rgba(getComputedStyle(a).backgroundColor);
      if (c && c[3] > 0) { layers.push(c); if (c[3] >= 0.95) break; }
    }
    for (let i = layers.length - 1; i >= 0; i--) colour = over(layers[i], colour);
    return colour;
  }
  const LOOK = ['outlineStyle', 'outlineWidth', 'outlineColor', 'boxShadow', 'backgroundColor', 'backgroundImage', 'color',
    'borderTopColor', 'borderBottomColor', 'borderLeftColor', 'borderRightColor', 'borderTopWidth', 'borderBottomWidth',
    'borderLeftWidth', 'borderRightWidth',
    'textDecorationLine', 'opacity', 'transform', 'content'];
  // What a neighbour of the focused element (its parent, first child, pseudo-elements) shows
  // focus with: fewer properties, read for every stop.
  const NEAR_LOOK = ['outlineStyle', 'outlineWidth', 'outlineColor', 'boxShadow', 'backgroundColor', 'color', 'borderBottomColor', 'borderBottomWidth', 'textDecorationLine', 'content'];
  function lookOf(el, pseudo, props) {
    if (!el) return null;
    const cs = getComputedStyle(el, pseudo || null);
    // A pseudo-element without content draws nothing.
    if (pseudo && cs.content === 'none') return { content: 'none' };
    const look = {};
    for (const k of props || LOOK) look[k] = cs[k];
    return look;
  }
  // What can show focus: the element, its parent (a `:focus-within` box), its first child (an
  // image inside a link) and its two pseudo-elements.
  function lookAt(el, slot) {
    switch (slot) {
      case 0: return lookOf(el);
      case 1: return lookOf(el.parentElement, null, NEAR_LOOK);
      case 2: return lookOf(el.firstElementChild, null, NEAR_LOOK);
      case 3: return lookOf(el, '::before', NEAR_LOOK);
      default: return lookOf(el, '::after', NEAR_LOOK);
    }
  }
  const SLOTS = 5;
  function looksOf(el) {
    const looks = [];
    for (let slot = 0; slot < SLOTS; slot++) looks.push(lookAt(el, slot));
    return looks;
  }
  const colourText = (c) => `rgba(${Math.round(c[0])}, ${Math.round(c[1])}, ${Math.round(c[2])}, ${c[3]})`;
  // What changed between the element focused and not, as measured: each change's kind, its
  // thickness, its colour, the colour it replaced, and the colour behind the element. Whether a
  // change can be seen is for the check to judge (checks/src/rules/keyboard_focus.rs).
  // `blurredAt(slot)`: the look of a slot with the element blurred, read only as far as needed.
  const MAX_CHANGES = 8;
  function changesOf(focused, blurredAt, el) {
    const found = [];
    // Worked out only when a change needs it: most stops show Chromium's own ring.
    let behind = null;
    const behindOf = () => behind || (behind = colourText(backdropOf(el)));
    for (let i = 0; i < focused.length && found.length < MAX_CHANGES; i++) {
      const f = focused[i], b = f ? blurredAt(i) : null;
      if (!f || !b) continue;
      if (f.outlineStyle !== 'none' && parseFloat(f.outlineWidth) > 0 &&
          (f.outlineStyle !== b.outlineStyle || f.outlineWidth !== b.outlineWidth || f.outlineColor !== b.outlineColor)) {
        // Chromium's own ring, drawn in two colours so that it shows on any background.
        if (f.outlineStyle === 'auto') return [{ kind: 'ring' }];
        found.push({ kind: 'outline', width: parseFloat(f.outlineWidth), colour: f.outlineColor, behind: behindOf() });
      }
      if (f.boxShadow !== b.boxShadow && f.boxShadow !== 'none') {
        const sizes = (f.boxShadow.replace(/rgba?\([^)]*\)/g, '').match(/-?[\d.]+px/g) || []).map((v) => Math.abs(parseFloat(v)));
        const colour = /rgba?\([^)]*\)/.exec(f.boxShadow);
        found.push({ kind: 'shadow', width: Math.max(0, ...sizes), colour: colour ? colour[0] : '', behind: behindOf() });
      }
      for (const side of ['Bottom', 'Top', 'Left', 'Right']) {
        const [colour, width] = ['border' + side + 'Color', 'border' + side + 'Width'];
        if (f[colour] === undefined || (f[colour] === b[colour] && f[width] === b[width])) continue;
        found.push({ kind: 'border', width: parseFloat(f[width]) || 0, colour: f[colour], before: b[colour], behind: behindOf() });
        break;
      }
      if (f.backgroundColor !== b.backgroundColor) {
        found.push({ kind: 'background', colour: f.backgroundColor, before: b.backgroundColor, behind: behindOf() });
      }
      if (f.color !== b.color) found.push({ kind: 'color', colour: f.color, before: b.color, behind: behindOf() });
      const marked = f.textDecorationLine !== b.textDecorationLine && /underline|overline/.test(f.textDecorationLine);
      if (marked) found.push({ kind: 'underline' });
      if (f.backgroundImage !== b.backgroundImage || f.opacity !== b.opacity || f.transform !== b.transform || f.content !== b.content) {
        found.push({ kind: 'change' });
      }
    }
    return found;
  }
  // Clipping ancestors remembered while the page holds still (a walk); forgotten when it may change.
  let clipMemo = null;
  // Why a focused element cannot be seen where it is, or '' when it can.
  function whyUnseen(el) {
    if (typeof el.checkVisibility === 'function' && !el.checkVisibility({ visibilityProperty: true, opacityProperty: true })) return 'invisible';
    let r = el.getBoundingClientRect();
    if (r.width * r.height < 2) {
      // An inline link around a block image has no box of its own: the child's counts.
      const child = el.firstElementChild;
      const c = child ? child.getBoundingClientRect() : r;
      if (c.width * c.height < 2) return 'no_size';
      r = c;
    }
    if (r.right <= 0 || r.bottom <= 0 || r.left >= innerWidth || r.top >= innerHeight) return 'off_screen';
    // Hidden by a clip (the "visually hidden" pattern) on itself or its parent, or by a box around
    // it that hides overflow (the nearest few, worked out once per branch for the whole walk).
    for (const a of [el, el.parentElement]) {
      if (!a) continue;
      const cs = getComputedStyle(a);
      if ((cs.clip && cs.clip !== 'auto' && cs.position === 'absolute') || /inset\(\s*(50%|100%)/.test(cs.clipPath)) return 'clipped';
    }
    if (!clipMemo) clipMemo = new Map();
    for (const clipper of clippersOf(el, clipMemo).clippers) {
      if (clipper.el === el) continue;
      const o = clipper.el.getBoundingClientRect();
      const outX = clipper.x && (r.right <= o.left + 1 || r.left >= o.right - 1);
      const outY = clipper.y && (r.bottom <= o.top + 1 || r.top >= o.bottom - 1);
      if (outX || outY) return 'clipped';
    }
    return '';
  }
  function docBox(el) {
    const r = el.getBoundingClientRect();
    return { x: r.x + scrollX, y: r.y + scrollY, width: r.width, height: r.height };
  }
  // The element focus left is judged now that it is blurred.
  function judgePrevious() {
    const prev = keyState.prev;
    if (!prev || !prev.isConnected) return null;
    return { key: keyOf(prev), changes: changesOf(keyState.prevLook, (slot) => lookAt(prev, slot), prev) };
  }
  function stepNow() {
    const el = deepActive();
    const step = { key: atEnd(el) ? 0 : keyOf(el), id: el ? idOf(el) : -1, end: atEnd(el) || keyState.landedEnd, at_key: keyState.atKey, tag: el ? el.localName : '' };
    const previous = judgePrevious();
    if (previous && previous.key !== step.key) step.previous = previous;
    if (!step.end) {
      step.bounds = docBox(el);
      step.unseen = whyUnseen(el);
      if (!previous || previous.key !== step.key) {
        keyState.prev = el;
        keyState.prevLook = looksOf(el);
      }
    } else {
      keyState.prev = null;
    }
    return step;
  }
  function keyStep() {
    return JSON.stringify(stepNow());
  }
  // Keys sent in a batch, without a round trip each: every key's step is taken as the next key
  // arrives (the page then shows what the last key did), the last one by `keyFlush()`.
  function keyBatch() {
    keyState.log = [];
    keyState.batched = false;
    return 0;
  }
  function keyFlush() {
    const log = keyState.log || [];
    if (keyState.batched) log.push(stepNow());
    keyState.log = null;
    keyState.batched = false;
    return JSON.stringify(log);
  }
  // What has focus (0: nothing in the page): after a walk, a timer may have pulled it back.
  function focusKey() {
    const a = deepActive();
    return atEnd(a) || a === startMark ? 0 : keyOf(a);
  }
  // The last element the walk focused, blurred and judged; the page put back at its top.
  function keyFinish() {
    const active = deepActive();
    if (active && active !== document.body && active.blur) active.blur();
    const previous = keyState ? judgePrevious() : null;
    if (keyState) { keyState.prev = null; keyState.prevLook = null; }
    if (startMark && startMark.isConnected) startMark.remove();
    const instant = document.getElementById(INSTANT_ID);
    if (instant) instant.remove();
    scrollTo(0, 0);
    return JSON.stringify(previous);
  }

  // Controls only a mouse can use: an element with a click handler in its markup that is neither
  // a control nor inside or around one. With whether Tab reaches it and whether it handles keys.
  const NATIVE = new Set(['a', 'button', 'input', 'select', 'textarea', 'summary', 'label', 'option', 'area', 'iframe', 'video', 'audio', 'details']);
  const MAX_MOUSE_ONLY = 40;
  function mouseOnly() {
    const found = [];
    const all = document.querySelectorAll('[onclick], [onmousedown], [onmouseup]');
    for (let i = 0; i < all.length && found.length < MAX_MOUSE_ONLY; i++) {
      const el = all[i];
      const name = el.localName;
      if (name === 'body' || name === 'html' || NATIVE.has(name) || el.isContentEditable) continue;
      if (el.closest('a[href], button, label, summary') || el.querySelector('a[href], button, input, select, textarea')) continue;
      const id = idOf(el);
      if (id < 0 || whyUnseen(el) !== '') continue;
      found.push({
        id: id,
        focusable: el.tabIndex >= 0,
        role: (el.getAttribute('role') || '').trim(),
        keys: el.hasAttribute('onkeydown') || el.hasAttribute('onkeyup') || el.hasAttribute('onkeypress'),
      });
    }
    return JSON.stringify(found);
  }
  // Before Enter is pressed on a control: it is focused, and clicks and changes to the page are noted.
  let pressWatch = null;
  function watchPress(id) {
    const el = tagged[id];
    if (!el || !el.isConnected || typeof el.focus !== 'function') return false;
    el.focus();
    if (deepActive() !== el) return false;
    const watch = { changed: 0, clicked: 0, href: String(location.href) };
    watch.observer = new MutationObserver((records) => { watch.changed += records.length; });
    watch.observer.observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
    watch.onClick = () => { watch.clicked += 1; };
    document.addEventListener('click', watch.onClick, true);
    pressWatch = watch;
    return true;
  }
  function pressResult() {
    const watch = pressWatch;
    pressWatch = null;
    if (!watch) return JSON.stringify(null);
    watch.observer.disconnect();
    document.removeEventListener('click', watch.onClick, true);
    const active = deepActive();
    if (active && active.blur) active.blur();
    return JSON.stringify({ reacted: watch.clicked > 0 || watch.changed > 0 || String(location.href) !== watch.href });
  }

  // Pop-ups: the candidates the renderer found in the page's facts (fixed or absolute layers over
  // much of the screen, floating windows), outermost only, each with its close control: close
  // words, labels and class names as checks/src/rules/shared/popups.rs reads them, else a small
  // image or box in a corner of the window.
  const CLOSE_WORDS = ['关闭', '关 闭', '×', '✕', '✖', 'x', 'close', '关', '不再显示', '跳过'];
  const MAX_POPUP_NODES = 3000;
  function closeOf(popup) {
    const all = popup.getElementsByTagName('*');
    const p = popup.getBoundingClientRect();
    let corner = null;
    for (let i = 0; i < all.length && i < MAX_POPUP_NODES; i++) {
      const el = all[i];
      if (whyUnseen(el) !== '') continue;
      const text = (el.textContent || '').replace(/\s+/g, ' ').trim().toLowerCase();
      const label = (el.getAttribute('aria-label') || el.getAttribute('title') || el.getAttribute('alt') || '').toLowerCase();
      const names = (String(el.className && el.className.baseVal !== undefined ? el.className.baseVal : el.className) + ' ' + el.id).toLowerCase().split(/\s+/);
      const marked = names.some((c) => c.includes('close') || c.includes('guanbi') || c === 'gb' || c.includes('btn-x'));
      if ((CLOSE_WORDS.includes(text) && text.length <= 4) || label.includes('关闭') || label.includes('close') || marked) {
        // The clickable thing: a control around a close word's text.
        const control = el.closest('a, button, [role="button"], [onclick], input') || el;
        return { el: popup.contains(control) ? control : el, text: (text || label).slice(0, 20) };
      }
      if (!corner && (el.localName === 'img' || el.hasAttribute('onclick'))) {
        const r = el.getBoundingClientRect();
        const small = r.width <= 60 && r.height <= 60;
        const inCorner = (Math.abs(r.right - p.right) < 30 || Math.abs(r.left - p.left) < 30) && Math.abs(r.top - p.top) < 30;
        if (small && inCorner) corner = { el: el.closest('a, button, [onclick]') || el, text: '' };
      }
    }
    return corner;
  }
  const COUNTDOWN = /(\d+)\s*(秒|s\b|S\b)|倒计时/;
  function popupInfo(list) {
    clipMemo = null;
    scrollTo(0, 0);
    const found = [];
    for (const [id, kind] of list) {
      const el = tagged[id];
      if (!el || !el.isConnected || found.some((f) => tagged[f.id].contains(el) || el.contains(tagged[f.id]))) continue;
      if (el.getElementsByTagName('*').length === 0 || whyUnseen(el) === 'invisible') continue;
      const close = closeOf(el);
      const text = (el.innerText || '').slice(0, 400);
      const countdown = COUNTDOWN.exec(text);
      found.push({
        id: id, kind: kind, bounds: docBox(el),
        close: close ? { id: idOf(close.el), bounds: docBox(close.el), text: close.text } : null,
        countdown: countdown ? countdown[0] : null,
      });
    }
    return JSON.stringify(found);
  }
  // Whether a pop-up is (again) shown over the screen.
  function popupShown(id) {
    clipMemo = null;
    const el = tagged[id];
    if (!el || !el.isConnected || whyUnseen(el) !== '') return false;
    const r = el.getBoundingClientRect();
    const w = Math.min(r.right, innerWidth) - Math.max(r.left, 0), h = Math.min(r.bottom, innerHeight) - Math.max(r.top, 0);
    return w > 20 && h > 20;
  }
  // Pop-ups added after a close: new fixed layers over a quarter of the screen.
  let added = null;
  function watchAdded() {
    added = [];
    new MutationObserver((records) => {
      for (const r of records) for (const n of r.addedNodes) if (n.nodeType === 1 && added.length < 200) added.push(n);
    }).observe(document.documentElement, { childList: true, subtree: true });
    return 0;
  }
  function popupBack(ids) {
    if (ids.some(popupShown)) return true;
    for (const el of added || []) {
      if (!el.isConnected) continue;
      const cs = getComputedStyle(el);
      if (cs.position !== 'fixed' && cs.position !== 'absolute') continue;
      const r = el.getBoundingClientRect();
      const w = Math.min(r.right, innerWidth) - Math.max(r.left, 0), h = Math.min(r.bottom, innerHeight) - Math.max(r.top, 0);
      if (w > 0 && h > 0 && w * h >= 0.25 * innerWidth * innerHeight && whyUnseen(el) === '') return true;
    }
    return false;
  }
  // Where to click an element as a reader would: the middle of its box, brought onto the screen,
  // and whether that point hits it (not something lying over it).
  function clickPoint(id) {
    const el = tagged[id];
    if (!el || !el.isConnected) return JSON.stringify(null);
    let r = el.getBoundingClientRect();
    if (r.bottom <= 0 || r.top >= innerHeight) { el.scrollIntoView({ block: 'center' }); r = el.getBoundingClientRect(); }
    const x = Math.min(Math.max(r.left + r.width / 2, 1), innerWidth - 1), y = Math.min(Math.max(r.top + r.height / 2, 1), innerHeight - 1);
    const hit = document.elementFromPoint(x, y);
    return JSON.stringify({ x: x, y: y, hits: !!hit && (hit === el || el.contains(hit) || hit.contains(el)) });
  }

  // A click at a point of the screen as the page's handlers see one: on whatever is drawn there.
  // Dispatched from here, not through the browser's input: input waits for a frame, and a page
  // on paused virtual time draws none.
  function clickAt(x, y) {
    const hit = document.elementFromPoint(x, y);
    if (!hit) return false;
    const at = { bubbles: true, cancelable: true, composed: true, clientX: x, clientY: y, view: window, button: 0 };
    for (const type of ['pointerdown', 'mousedown', 'pointerup', 'mouseup']) {
      const Kind = type.startsWith('pointer') && typeof PointerEvent === 'function' ? PointerEvent : MouseEvent;
      hit.dispatchEvent(new Kind(type, at));
    }
    hit.click();
    return true;
  }
  // Escape as the page's key handlers see it, on the focused element.
  function pressEscape() {
    const target = deepActive() || document.body || document.documentElement;
    const at = { key: 'Escape', code: 'Escape', keyCode: 27, which: 27, bubbles: true, cancelable: true, composed: true };
    target.dispatchEvent(new KeyboardEvent('keydown', at));
    target.dispatchEvent(new KeyboardEvent('keyup', at));
    return 0;
  }

  // Moving content: for each box the browser saw move, its container (three levels up, as
  // checks/src/rules/moving_content.rs looks) and a pause or stop control in it.
  const PAUSE = /暂停|停止|pause|stop/i;
  function motionInfo(ids) {
    const found = [];
    for (const id of ids) {
      const el = tagged[id];
      if (!el || !el.isConnected || found.some((f) => tagged[f.id].contains(el))) continue;
      let container = el;
      for (let i = 0; i < 3 && container.parentElement && container.parentElement !== document.body; i++) container = container.parentElement;
      let control = null;
      const all = container.querySelectorAll('a, button, input, [role="button"], [onclick], span, i, li');
      for (let i = 0; i < all.length && i < MAX_POPUP_NODES && !control; i++) {
        const c = all[i];
        const words = controlText(c) + ' ' + String(c.className && c.className.baseVal !== undefined ? '' : c.className);
        if (words.length <= 60 && PAUSE.test(words) && whyUnseen(c) === '') control = c;
      }
      found.push({ id: id, container: idOf(container), control: control ? idOf(control) : null, control_text: control ? controlText(control).slice(0, 20) : '' });
    }
    return JSON.stringify(found);
  }
  // Boxes in the page's flow that move by themselves, seen between `motionSample()` and
  // `movedInFlow()` (the renderer runs the page's clock a few seconds ahead in between): a ticker
  // or carousel whose timer is slower than the watch after load.
  let motionPositions = null;
  function motionSample() {
    motionPositions = positionsNow();
    return 0;
  }
  function movedInFlow() {
    const found = [];
    if (!motionPositions) return JSON.stringify(found);
    for (const [el, before] of motionPositions) {
      if (found.length >= 50 || !el.isConnected) continue;
      const now = relative(el);
      if (!now || Math.abs(now[0] - before[0]) + Math.abs(now[1] - before[1]) < 2) continue;
      const cs = getComputedStyle(el);
      if (cs.position === 'fixed' || cs.position === 'absolute') continue;
      const id = idOf(el);
      if (id >= 0) found.push(id);
    }
    motionPositions = null;
    return JSON.stringify(found);
  }

  // Where the boxes inside a container are: compared before and after time passes.
  function motionSignature(id) {
    const el = tagged[id];
    if (!el || !el.isConnected) return '';
    const parts = [];
    const all = [el].concat(Array.from(el.getElementsByTagName('*')).slice(0, 80));
    for (const a of all) {
      const r = a.getBoundingClientRect();
      parts.push(Math.round(r.left) + ',' + Math.round(r.top) + ',' + a.scrollLeft + ',' + a.scrollTop + ',' + getComputedStyle(a).opacity);
    }
    return parts.join(';');
  }

  return {
    sample, stillListening, collect, backdropCandidates, hideText, showText, focusProbe,
    layout, widenSpacing, entryCandidates, mainText, press, largerTextControl,
    keyReset, keyRelease, keyStep, keyBatch, keyFlush, keyFinish, focusKey, mouseOnly, watchPress, pressResult,
    popupInfo, popupShown, watchAdded, popupBack, clickPoint, clickAt, pressEscape, motionSample, movedInFlow, motionInfo, motionSignature,
  };
})()
