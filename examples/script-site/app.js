// Builds the whole page, as single-page apps and many CMS templates do.
document.getElementById('app').innerHTML = [
  '<header><h1>某区政务服务网</h1></header>',
  '<main>',
  '<p class="toolbar"><a href="#big">A+</a><a href="#small">A-</a></p>',
  '<h2>办事指南</h2>',
  '<p>办理居住证、社保卡、养老金领取资格认证，请携带身份证原件。</p>',
  '<p class="notice">温馨提示：窗口办理时间为工作日 9:00–17:00。</p>',
  '<p><img src="banner.png"> <a href="news.html">最新通知</a> <a href="search.html"></a></p>',
  '<p><button></button></p>',
  '</main>'
].join('');

// A pop-up covering most of the screen, with a tiny close button.
var layer = document.createElement('div');
layer.className = 'ad-layer';
layer.innerHTML = '<h2>限时优惠</h2><p>点击领取养老理财大礼包</p><span class="close">×</span>';
document.body.appendChild(layer);

// A floating window (飘窗) that drifts across the page.
var floating = document.createElement('div');
floating.className = 'float-ad';
floating.innerHTML = '<a href="news.html"><img src="float.png" alt="专题活动"></a>';
document.body.appendChild(floating);
var x = 0;
setInterval(function () { x = (x + 4) % 900; floating.style.left = x + 'px'; }, 30);
