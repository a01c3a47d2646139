(function(){
/* ftlib report pages: draw each chart from its Vega-Lite spec (the script element of class ftlib-spec
   in its <figure>) with the bundle named by the page's data-ftlib-charts attribute, same origin.
   Only charts that are shown (the other language's body is display:none) and near the screen are
   drawn; before printing, every shown chart; with #ftlib-print in the address (the PDF), every
   shown chart at once. Installs itself once a window; each run looks for pages not yet seen. */
var W=window,D=document,F=W.ftlibCharts;
if(!F){
  F=W.ftlibCharts={};
  var waiting=[],state=0;   /* bundle: 0 not asked, 1 loading, 2 ready, 3 failed */
  var lib=function(src,done){
    if(state===2){done();return;}
    waiting.push(done);
    if(state)return;
    state=1;
    var s=D.createElement('script');s.src=src;s.async=true;
    s.onload=function(){state=2;var w=waiting;waiting=[];w.forEach(function(f){f();});};
    s.onerror=function(){state=3;};
    (D.head||D.documentElement).appendChild(s);
  };
  var shown=function(fig){return fig.getClientRects().length>0;};
  var draw=function(fig){
    if(fig.ftlibState||!W.vegaEmbed)return;
    fig.ftlibState=1;
    var el=fig.querySelector('.ftlib-vega'),src=fig.querySelector('script.ftlib-spec');
    if(!el||!src)return;
    W.vegaEmbed(el,JSON.parse(src.textContent),{renderer:'svg',actions:false}).then(function(){
      el.style.minHeight='';fig.setAttribute('data-drawn','1');
    },function(){fig.setAttribute('data-drawn','error');});
  };
  F.drawShown=function(){D.querySelectorAll('figure.ftlib-chart').forEach(function(f){if(shown(f))draw(f);});};
  F.scan=function(){
    D.querySelectorAll('.ftlib-page[data-ftlib-charts]:not([data-ftlib-seen])').forEach(function(p){
      p.setAttribute('data-ftlib-seen','1');
      lib(p.getAttribute('data-ftlib-charts'),function(){
        var figs=p.querySelectorAll('figure.ftlib-chart');
        if(location.hash==='#ftlib-print'||!W.IntersectionObserver){
          figs.forEach(function(f){if(shown(f)||!W.IntersectionObserver)draw(f);});
        }
        if(!W.IntersectionObserver)return;
        var io=new IntersectionObserver(function(es){es.forEach(function(e){
          if(e.isIntersecting){io.unobserve(e.target);draw(e.target);}});},{rootMargin:'400px 0px'});
        figs.forEach(function(f){if(!f.ftlibState)io.observe(f);});
      });
    });
  };
  W.addEventListener('beforeprint',F.drawShown);
}
F.scan();
})();
