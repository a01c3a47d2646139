"""Sortable tables on the dashboards without any outside script: one small inline script (no
library, nothing fetched) that sorts a ``table.ftlib-sortable`` by the column whose header is
clicked — numbers as numbers ("1,234", "7.3%"), held-back values ("—") last — and again in the
other direction on a second click. The header says which way it is sorted (▲/▼)."""

from __future__ import annotations

SCRIPT = """<script>(function(){
function key(t){t=t.trim();if(t===''||t==='—'||t==='无'||t==='n/a')return null;
var n=t.replace(/[,%\\s]/g,'');return isNaN(n)||n===''?t:parseFloat(n);}
function sort(th){var table=th.closest('table'),i=Array.prototype.indexOf.call(th.parentNode.children,th);
var rows=Array.prototype.slice.call(table.querySelectorAll('tr')).filter(function(r){return r.querySelector('td');});
var down=th.getAttribute('aria-sort')==='ascending';
rows.sort(function(a,b){var x=key(a.children[i].innerText),y=key(b.children[i].innerText);
if(x===null)return y===null?0:1;if(y===null)return -1;
var c=(typeof x===typeof y)?(x<y?-1:x>y?1:0):(typeof x==='number'?-1:1);return down?-c:c;});
var parent=rows.length?rows[0].parentNode:null;rows.forEach(function(r){parent.appendChild(r);});
table.querySelectorAll('th[aria-sort]').forEach(function(h){h.removeAttribute('aria-sort');});
th.setAttribute('aria-sort',down?'descending':'ascending');}
document.addEventListener('click',function(e){var th=e.target.closest('table.ftlib-sortable tr:first-child th');
if(th)sort(th);});})();</script>
<style>table.ftlib-sortable tr:first-child th{cursor:pointer}
table.ftlib-sortable th[aria-sort=ascending]::after{content:' ▲'}
table.ftlib-sortable th[aria-sort=descending]::after{content:' ▼'}</style>"""


def sortable(table_html: str) -> str:
    """``table_html`` (one ``<table …>``) marked sortable by :data:`SCRIPT`."""
    if "class='" in table_html.split(">", 1)[0]:
        return table_html.replace("class='", "class='ftlib-sortable ", 1)
    if 'class="' in table_html.split(">", 1)[0]:
        return table_html.replace('class="', 'class="ftlib-sortable ', 1)
    return table_html.replace("<table", "<table class='ftlib-sortable'", 1)
