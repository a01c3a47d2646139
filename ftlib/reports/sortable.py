"""Sortable tables on the dashboards without any outside script: one small inline script (no
library, nothing fetched) that sorts a ``table.ftlib-sortable`` by the column whose header is
clicked — numbers as numbers ("1,234", "7.3%"), a small count shown as "<5" just below 5, names in
the page language's order, held-back values ("—") last — and again in the other direction on a
second click. The header says which way it is sorted (▲/▼). Rows in ``<tfoot>`` (totals) stay
where they are. The script installs itself once however many tables or languages a page holds, and
a page without it (a printed copy, a reader who blocks scripts) shows the same table unsorted."""

from __future__ import annotations

SCRIPT = """<script>(function(){if(window.ftlibSortable)return;window.ftlibSortable=1;
function key(t){t=t.trim();if(t===''||t==='—'||t==='无'||t==='n/a')return null;
var m=/^<\\s*(\\d+)$/.exec(t);if(m)return parseFloat(m[1])-0.5;
var n=t.replace(/[,%\\s]/g,'');return isNaN(n)||n===''?t:parseFloat(n);}
function sort(th){var table=th.closest('table'),i=Array.prototype.indexOf.call(th.parentNode.children,th);
var rows=Array.prototype.slice.call(table.querySelectorAll('tr')).filter(function(r){
return r.querySelector('td')&&r.parentNode.tagName!=='TFOOT';});
var down=th.getAttribute('aria-sort')==='ascending';
rows.sort(function(a,b){var x=key(a.children[i].innerText),y=key(b.children[i].innerText);
if(x===null)return y===null?0:1;if(y===null)return -1;
var c=(typeof x===typeof y)?(typeof x==='number'?x-y:x.localeCompare(y,document.documentElement.lang||undefined))
:(typeof x==='number'?-1:1);return down?-c:c;});
var parent=rows.length?rows[0].parentNode:null;rows.forEach(function(r){parent.appendChild(r);});
table.querySelectorAll('th[aria-sort]').forEach(function(h){h.removeAttribute('aria-sort');});
th.setAttribute('aria-sort',down?'descending':'ascending');}
document.addEventListener('click',function(e){var th=e.target.closest('table.ftlib-sortable th');
if(th&&th.parentNode===th.closest('table').rows[0])sort(th);});})();</script>
<style>table.ftlib-sortable thead th,table.ftlib-sortable>tbody:first-child>tr:first-child th{cursor:pointer}
table.ftlib-sortable th[aria-sort=ascending]::after{content:' ▲'}
table.ftlib-sortable th[aria-sort=descending]::after{content:' ▼'}</style>"""


def sortable(table_html: str) -> str:
    """``table_html`` (one ``<table …>``) marked sortable by :data:`SCRIPT`."""
    if "class='" in table_html.split(">", 1)[0]:
        return table_html.replace("class='", "class='ftlib-sortable ", 1)
    if 'class="' in table_html.split(">", 1)[0]:
        return table_html.replace('class="', 'class="ftlib-sortable ', 1)
    return table_html.replace("<table", "<table class='ftlib-sortable'", 1)


def with_total_footer(table_html: str) -> str:
    """``table_html`` (as pandas writes it) with its last body row, the total, moved into a
    ``<tfoot>``: sorting leaves the total at the bottom."""
    body_end = table_html.rfind("</tbody>")
    last = table_html.rfind("<tr>", 0, body_end)
    if body_end < 0 or last < 0:
        return table_html
    return (table_html[:last] + table_html[body_end:body_end + len("</tbody>")] + "\n  <tfoot>\n    "
            + table_html[last:body_end].strip() + "\n  </tfoot>" + table_html[body_end + len("</tbody>"):])
