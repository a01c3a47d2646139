"""ftlib's Voilà server: Voilà with kernels that come and go (what ``ftlib serve`` runs).

Three changes to stock Voilà, all configured in ``voila.json`` (section ``FtlibKernelManager``):

- **A visitor who leaves releases its kernel at once.** Voilà's page sends a shutdown beacon on
  ``beforeunload`` with the ``_xsrf`` cookie's value, but Voilà never sets that cookie on a
  notebook page, so the server answered 403 ("_xsrf argument missing") and the kernel lived until
  culled. The render handler here sets the cookie (tornado sets it when the token is read).
- **A maximum number of kernels.** The kernel manager refuses a start past ``max_kernels``
  (kernels running + starting, counted at once, so a burst cannot overshoot); the visitor gets a
  zh/en "busy, try again" page (HTTP 503, ``Retry-After``) that reloads itself, not a hung page.
- Idle kernels (no browser connected) are culled by jupyter_server's culler, configured in
  ``voila.json`` (``MappingKernelManager.cull_idle_timeout``).
- **Kernels kept ready for a class** (widget notebooks only, ``notebooks.json``): Voilà's
  pre-heated pool starts a notebook's kernel and runs its cells before anyone asks, so a visitor
  gets a page already drawn. Here a pool's size is a reserve (kernels ready + handed out from it:
  a pool of 40 for a class of 40 holds 40 kernels, where Voilà would start a new one at each
  visit), refilled as visitors leave; it never starts a kernel past ``max_kernels`` (a refused
  start is dropped from the pool rather than handed to the next visitor); and
  ``FtlibKernelManager.pool`` sets the reserve of the one notebook ``ftlib notebook`` serves
  (``--pool N``: a trainer readies a class's kernels before it arrives).

Report pages need no kernel at all: ``ftlib report --html`` stores each report as a static page
(and its PDF) under ``html/``, which the server serves as files (``file_allowlist``) and the index
links to. See docs/serving.md.
"""

# Imports inside functions: Voilà's and Jupyter Server's handlers are imported when the server builds its routes.

from __future__ import annotations

import html
import sys

import tornado.web
from jupyter_server._tz import utcnow
from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from traitlets import Integer
from voila import app as voila_app
from voila.app import Voila
from voila.tornado.handler import TornadoVoilaHandler
from voila.voila_kernel_manager import voila_kernel_manager_factory

#: Seconds the busy page asks the browser to wait before it tries again.
RETRY_AFTER_S = 10


class FtlibKernelManager(AsyncMappingKernelManager):
    """A kernel manager that starts no kernel past ``max_kernels`` (0: no limit)."""

    max_kernels = Integer(60, config=True, help="most kernels alive at once (running and starting); 0: no limit")
    pool = Integer(-1, config=True, help="kernels kept ready for the one notebook served (single-notebook mode, "
                   "with preheat_kernel); -1: as kernel_pools_config says")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._starting = 0

    async def start_kernel(self, *args, **kwargs) -> str:
        # Checked and counted before the first await: concurrent requests see each other.
        if self.max_kernels and len(self._kernels) + self._starting >= self.max_kernels:
            self.log.warning("ftlib: %d kernels alive, the maximum: a kernel start was refused (a visitor gets "
                             "the busy page; a pool is not refilled)", len(self._kernels))
            raise tornado.web.HTTPError(503, "ftlib: kernel limit reached")
        self._starting += 1
        try:
            return await super().start_kernel(*args, **kwargs)
        finally:
            self._starting -= 1


def pooled_kernel_manager_factory(base_class, preheat_kernel: bool, default_pool_size: int,
                                  page_config_hook=None):
    """Voilà's kernel-manager factory (``preheat_kernel``: a pool of kernels with the notebook
    already run), with ftlib's pool rules on top (module docstring)."""
    cls = voila_kernel_manager_factory(base_class, preheat_kernel, default_pool_size, page_config_hook)
    if not preheat_kernel:
        return cls

    class FtlibPooledKernelManager(cls):
        def fill_if_needed(self, delay=None, notebook_name=None, extra_kernel_env_variables=None, **kwargs) -> None:
            # The pool's size is the notebook's *reserve*: kernels ready plus those handed out from it.
            # A class of 40 with a pool of 40 gets 40 kernels, not 40 more as each is taken (Voilà
            # refills on every use); a kernel goes back into the reserve when its visitor leaves.
            pool = self._pools.get(notebook_name, [])
            handed_out = len(self.notebook_data.get(notebook_name, {}).get("kernel_ids", ())) - sum(t.done() for t in pool)
            target = max(0, self.reserve(notebook_name) - max(0, handed_out))
            if self.max_kernels:   # and never past the maximum
                pending = sum(not t.done() for tasks in self._pools.values() for t in tasks)
                target = min(target, len(pool) + max(0, self.max_kernels - len(self._kernels) - pending))
            saved = self.kernel_pools_config
            default = saved.get("default", {})
            self.kernel_pools_config = {**saved, notebook_name: {**saved.get(notebook_name, default), "pool_size": target}}
            try:
                super().fill_if_needed(delay, notebook_name, extra_kernel_env_variables or {}, **kwargs)
            finally:
                self.kernel_pools_config = saved

        def reserve(self, notebook_name: str | None) -> int:
            """Kernels kept for ``notebook_name``: ``pool`` for the notebook ``ftlib notebook``
            serves, else its ``kernel_pools_config`` entry (or the default's)."""
            if self.pool >= 0 and notebook_name is not None and notebook_name == self.notebook_path:
                return self.pool
            cfg = self.kernel_pools_config
            return int(cfg.get(notebook_name, cfg.get("default", {})).get("pool_size", 0))

        def get_pool_size(self, notebook_name: str) -> int:
            # A start refused at the maximum leaves a failed task: drop it, or the next visitor
            # would be handed that error although a kernel may be free by now.
            pool = self._pools.get(notebook_name, [])
            pool[:] = [t for t in pool if not (t.done() and (t.cancelled() or t.exception() is not None))]
            return len(pool)

        async def get_rendered_notebook(self, notebook_name: str, *args, **kwargs):
            render_task, rendered, kernel_id = await super().get_rendered_notebook(notebook_name, *args, **kwargs)
            # Its cells ran when the pool was filled, maybe long ago: it is the culler's from now on,
            # and must not count as idle since then while its page is still opening the websocket.
            self.get_kernel(kernel_id).last_activity = utcnow()
            return render_task, rendered, kernel_id

        async def shutdown_kernel(self, kernel_id: str, *args, **kwargs):
            result = await super().shutdown_kernel(kernel_id, *args, **kwargs)
            # A visitor left: the pool may have stayed short at the maximum; top it up again.
            if not getattr(self, "_ftlib_closing", False):
                for notebook_name in list(self._pools):
                    self.fill_if_needed(notebook_name=notebook_name)
            return result

        async def shutdown_all(self, *args, **kwargs):
            self._ftlib_closing = True  # the server stops: refill nothing
            return await super().shutdown_all(*args, **kwargs)

    return FtlibPooledKernelManager


def busy_page() -> str:
    """The zh/en page a visitor gets past the kernel limit: says what happened and what to do,
    and tries again by itself."""
    from ftlib.i18n import label

    zh, en = (html.escape(label("serving.busy_title", lang)) for lang in ("zh", "en"))
    zh_t, en_t = (html.escape(label("serving.busy_text", lang).format(s=RETRY_AFTER_S)) for lang in ("zh", "en"))
    return ("<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'>"
            f"<meta http-equiv='refresh' content='{RETRY_AFTER_S}'><title>{zh} · {en}</title>"
            "<style>body{font-family:sans-serif;max-width:40em;margin:4em auto;padding:0 1em;color:#222}"
            "h1{font-size:1.4em}p{line-height:1.6}.en{color:#555}</style></head><body class='ftlib-busy'>"
            f"<h1>{zh}</h1><p>{zh_t}</p><h1 class='en' lang='en'>{en}</h1><p class='en' lang='en'>{en_t}</p>"
            "</body></html>")


class FtlibVoilaHandler(TornadoVoilaHandler):
    """Voilà's render handler, with the xsrf cookie set and the busy page past the kernel limit."""

    @tornado.web.authenticated
    async def get(self, path=None):
        self.xsrf_token  # noqa: B018 — reading it sets the _xsrf cookie the shutdown beacon sends back
        await super().get(path)

    def write_error(self, status_code: int, **kwargs) -> None:
        if status_code != 503:
            return super().write_error(status_code, **kwargs)
        self.clear_header("Cache-Control")
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.set_header("Retry-After", str(RETRY_AFTER_S))
        self.finish(busy_page())


class AppsHandler(tornado.web.RequestHandler):
    """``/ftlib/apps/<notebook>``: the dashboards index's links to the widget notebooks, which a
    second Voilà serves (the dashboards' server denies the widget extensions). Redirects to that
    server on the host the visitor used; without one (``apps_port`` 0), a zh/en page saying how
    to start it."""

    def initialize(self, port: int) -> None:
        self.port = port

    def get(self, stem: str) -> None:
        if self.port:
            host = self.request.host_name
            host = f"[{host}]" if ":" in host else host
            query = f"?{self.request.query}" if self.request.query else ""
            self.redirect(f"{self.request.protocol}://{host}:{self.port}/voila/render/{stem}.ipynb{query}")
            return
        from ftlib.i18n import label

        self.set_status(404)
        self.set_header("Content-Type", "text/html; charset=utf-8")
        texts = "".join(f"<p lang='{lang}'>{html.escape(label('notebooks.not_served', lang).format(nb=stem[:2]))}</p>"
                        for lang in ("zh", "en"))
        self.finish(f"<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'><title>ftlib</title></head>"
                    f"<body class='ftlib-apps-missing' style='font-family:sans-serif;max-width:40em;margin:4em auto'>"
                    f"{texts}</body></html>")


class FtlibVoila(Voila):
    """Voilà with FtlibVoilaHandler in place of its render handler."""

    name = "voila"  # reads voila.json / voila.py like Voilà itself
    apps_port = Integer(0, config=True, help="port of the Voilà serving the widget notebooks (0: none)")

    def init_settings(self) -> dict:
        voila_app.voila_kernel_manager_factory = pooled_kernel_manager_factory  # Voilà builds its manager with it
        return super().init_settings()

    def init_handlers(self) -> list:
        from jupyter_server.utils import url_path_join
        from voila.tornado.treehandler import TornadoVoilaTreeHandler

        # Voilà's file tree (``/`` and ``/voila/tree/…``) loads font-awesome from a CDN and hangs on an
        # isolated intranet: send it to the dashboards index instead, which loads nothing from outside.
        index = {"url": url_path_join(self.server_url, "voila/render/index.ipynb")}
        out = []
        for h in super().init_handlers():
            if h[1] is TornadoVoilaHandler:
                h = (h[0], FtlibVoilaHandler, *h[2:])
            elif h[1] is TornadoVoilaTreeHandler:
                h = (h[0], tornado.web.RedirectHandler, index)
            out.append(h)
        out.append((url_path_join(self.server_url, r"ftlib/apps/(\d\d_[a-z0-9_]+)"), AppsHandler,
                    {"port": self.apps_port}))
        return out


def main(argv: list[str] | None = None) -> None:
    FtlibVoila.launch_instance(argv if argv is not None else sys.argv[1:])


if __name__ == "__main__":
    main()
