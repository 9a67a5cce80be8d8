// Runs before any script of every document of the tab (Page.addScriptToEvaluateOnNewDocument).
// The Fetch domain, which applies the address rule, does not see WebSocket, WebTransport or WebRTC
// connections, nor the requests of workers; those APIs are switched off, so a page cannot reach a
// service the crawler may not. It also keeps what the page has pending, for the settle time.
(() => {
  const refuse = function () { throw new DOMException('switched off by eldercheck', 'SecurityError'); };
  for (const name of ['WebSocket', 'WebTransport', 'RTCPeerConnection', 'webkitRTCPeerConnection', 'Worker', 'SharedWorker']) {
    try { Object.defineProperty(window, name, { value: refuse, writable: false, configurable: false }); } catch (e) {}
  }
  try {
    if (navigator.serviceWorker) {
      Object.defineProperty(navigator.serviceWorker, 'register', { value: () => Promise.reject(new DOMException('switched off by eldercheck', 'SecurityError')) });
    }
  } catch (e) {}
  // What the page still has pending, for the settle time: one-shot timers due within a second and
  // when its DOM last changed (requests in flight are followed in the Network domain).
  try {
    let lastChange = performance.now();
    // One-shot timers due within a second: id → when due (also what a keyboard walk waits for).
    const timers = new Map();
    const settleTimer = window.setTimeout, forgetTimer = window.clearTimeout;
    // A second timer of the same delay, which runs right after the page's, marks it done: the
    // page's handler is left as it is, a function or a string of code (older sites' floats).
    window.setTimeout = function (handler, delay) {
      const id = settleTimer.apply(window, arguments);
      if (Number(delay || 0) <= 1000) {
        timers.set(id, performance.now() + Number(delay || 0));
        settleTimer.call(window, () => timers.delete(id), delay);
      }
      return id;
    };
    window.clearTimeout = function (id) { timers.delete(id); return forgetTimer.call(window, id); };
    // CSS animations and transitions move boxes without changing the DOM: a page with boxes still
    // moving is watched for the whole settle time, which is how long movement is measured.
    // Properties that move a box (camelCase, as keyframes name them; a keyframe's own `offset`,
    // `easing` and `composite` are not properties). A transform moves it when it translates: a
    // spinning or pulsing icon stays where it is.
    const moves = /^(left|top|right|bottom|translate|margin|inset|offset[A-Z])/;
    const translates = /translate|matrix/i;
    const moving = (key, value) => moves.test(key) || (key === 'transform' && translates.test(String(value)));
    const movingAnimations = () => {
      const animations = document.getAnimations ? document.getAnimations() : [];
      // The first few hundred tell: one moving box is enough to keep watching.
      for (let i = 0; i < animations.length && i < 300; i++) {
        const animation = animations[i];
        if (animation.playState !== 'running' || !animation.effect || !animation.effect.getKeyframes) continue;
        const frames = animation.effect.getKeyframes();
        if (frames.some((frame) => Object.keys(frame).some((key) => moving(key, frame[key])))) return 1;
      }
      return 0;
    };
    const changed = () => { lastChange = performance.now(); };
    new MutationObserver(changed)
      .observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
    // Layout also moves without the DOM changing: an image without a size arriving, a web font
    // replacing the fallback, the document growing. A picture taken before that would put outlines
    // where the boxes no longer are.
    document.addEventListener('load', changed, true);
    if (document.fonts) document.fonts.addEventListener('loadingdone', changed);
    const watchSize = () => {
      if (typeof ResizeObserver === 'function' && document.documentElement) {
        new ResizeObserver(changed).observe(document.documentElement);
      }
    };
    if (document.documentElement) watchSize(); else document.addEventListener('DOMContentLoaded', watchSize);
    Object.defineProperty(window, '__eldercheckPending', {
      value: () => [timers.size + movingAnimations(), performance.now() - lastChange],
    });
    // Whether anything could still move the page by itself: a repeating timer, an animation
    // frame asked for in the last second, a one-shot timer due, an animation running.
    const intervals = new Set();
    const repeat = window.setInterval, stopRepeat = window.clearInterval, frame = window.requestAnimationFrame;
    let lastFrameAsked = -1e9;
    window.setInterval = function () {
      const id = repeat.apply(window, arguments);
      if (intervals.size < 10000) intervals.add(id);
      return id;
    };
    window.clearInterval = function (id) { intervals.delete(id); return stopRepeat.call(window, id); };
    if (typeof frame === 'function') {
      window.requestAnimationFrame = function () { lastFrameAsked = performance.now(); return frame.apply(window, arguments); };
    }
    Object.defineProperty(window, '__eldercheckMayMove', {
      value: () => intervals.size > 0 || performance.now() - lastFrameAsked < 1000 || timers.size > 0 || movingAnimations() > 0,
    });
    // Timers due within `ms` (or overdue: a busy page runs them late).
    Object.defineProperty(window, '__eldercheckDueWithin', {
      value: (ms) => {
        const until = performance.now() + ms;
        let due = 0;
        for (const at of timers.values()) if (at <= until) due += 1;
        return due;
      },
    });
  } catch (e) {}
})();
