"""A region tree of national size for the synthetic register (``ftlib synth --national``).

China has 31 provinces, 333 prefectures and 2,843 counties (the counts of issue 14). The tree
built here has that shape but **no real place in it**: a fictional root ``CN-DN`` (示例全国 /
Demo Nation) under ``CN``, numbered provinces ``CN-DN-P01`` (示例01省), prefectures
``CN-DN-P01-C01`` (示例01省01市) and counties ``CN-DN-P01-C01-X01`` (示例01省01市01县), every
name carrying 示例 / Demo, so invented figures never appear under a real name. The codes follow
the CN-DM style of the bundled fictional regions: a region's policy falls back along its code
(``CN-DN-P01-C01-X01`` → … → ``CN-DN`` → ``CN``), so these regions are governed by the national
policies. Prefectures and counties are spread as evenly as the counts allow.
"""

from __future__ import annotations

from dataclasses import dataclass

from ftlib.errors import FtlibError

ROOT = "CN-DN"
#: Provinces, prefectures, counties of the country (issue 14).
NATIONAL_SHAPE = (31, 333, 2843)
#: Cadres of a region's own organs (not of its sub-regions) drawn per level: judgement, like the
#: case rates in ``synth``; a county's organs are smaller than a province's.
CADRES = {"nation": (20000, 40000), "province": (8000, 20000), "prefecture": (4000, 12000),
          "county": (1500, 5000)}


@dataclass(frozen=True)
class Region:
    code: str
    zh: str
    en: str
    parent: str
    level: str


def _spread(total: int, parts: int) -> list[int]:
    """``total`` split into ``parts`` whole numbers differing by at most one (larger ones first)."""
    q, r = divmod(total, parts)
    return [q + 1 if i < r else q for i in range(parts)]


def national_tree(shape: tuple[int, int, int] = NATIONAL_SHAPE) -> list[Region]:
    """The fictional root, then each province followed by its prefectures and their counties."""
    provinces, prefectures, counties = shape
    if (not 1 <= provinces <= prefectures <= counties or provinces > 99 or prefectures > 99 * provinces
            or counties > 99 * prefectures):

        raise FtlibError(f"--national-shape: value {shape}: needs 1 ≤ provinces ≤ prefectures ≤ counties, "
                         "at most 99 provinces and 99 prefectures a province")
    out = [Region(ROOT, "示例全国", "Demo Nation", "CN", "nation")]
    per_county = iter(_spread(counties, prefectures))
    for p, n_pref in enumerate(_spread(prefectures, provinces), 1):
        pc = f"{ROOT}-P{p:02d}"
        out.append(Region(pc, f"示例{p:02d}省", f"Demo Province {p:02d}", ROOT, "province"))
        for c in range(1, n_pref + 1):
            cc = f"{pc}-C{c:02d}"
            out.append(Region(cc, f"示例{p:02d}省{c:02d}市", f"Demo City {p:02d}-{c:02d}", pc, "prefecture"))
            for x in range(1, next(per_county) + 1):
                out.append(Region(f"{cc}-X{x:02d}", f"示例{p:02d}省{c:02d}市{x:02d}县",
                                  f"Demo County {p:02d}-{c:02d}-{x:02d}", cc, "county"))
    return out
