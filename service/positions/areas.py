"""Where a region lies, approximately: enough to check that a position's coordinates were typed
into the right region, and to name the county a worker's location falls in.

No boundaries ship with the project, only one centre per Hebei city and county
(service/refdata/region_centres.tsv). The approximation, stated once:

* a county is a box around its centre whose half-size is 2.5 times the distance to the
  nearest other county centre, kept between 12 and 90 km (a city district is a few kilometres
  across and sits among close neighbours; a mountain county is large and far from its
  neighbours) — generous on purpose: it catches swapped latitude/longitude, a wrong city or a
  dropped digit, not a point a few streets over the line;
* a city is the union of its counties' boxes; a township (9 digits) is its county; a
  development zone or 雄安新区 (custom regions without a centre) is its parent city or, for
  雄安, its three counties;
* the province is the union of all of them.
"""
import csv
import math
from functools import cache
from pathlib import Path

from service import refdata
from service.positions.geo import KM_PER_DEGREE, Box, distance_km

CENTRES = Path(refdata.__file__).resolve().parent / "region_centres.tsv"
MIN_HALF_KM, MAX_HALF_KM, NEIGHBOUR_FACTOR = 12.0, 90.0, 2.5
XIONGAN = {"133100": ("130629", "130632", "130638")}  # 雄安新区: 容城县, 安新县, 雄县


@cache
def _centres() -> dict[str, tuple[float, float]]:
    with CENTRES.open(encoding="utf-8", newline="") as fh:
        return {row["code"]: (float(row["latitude"]), float(row["longitude"]))
                for row in csv.DictReader(fh, delimiter="\t")}


def _is_county(code: str) -> bool:
    return len(code) == 6 and not code.endswith("00")


@cache
def county_boxes() -> dict[str, Box]:
    """Each Hebei county with a known centre → its approximate box."""
    counties = {code: point for code, point in _centres().items() if _is_county(code)}
    boxes = {}
    for code, (lat, lng) in counties.items():
        nearest = min((distance_km(lat, lng, *other) for key, other in counties.items() if key != code),
                      default=MAX_HALF_KM)
        half = min(MAX_HALF_KM, max(MIN_HALF_KM, NEIGHBOUR_FACTOR * nearest))
        dlat = half / KM_PER_DEGREE
        dlng = half / (KM_PER_DEGREE * math.cos(math.radians(lat)))
        boxes[code] = Box(lat - dlat, lng - dlng, lat + dlat, lng + dlng)
    return boxes


def _boxes_for(code: str) -> list[Box]:
    boxes = county_boxes()
    if code in XIONGAN:
        return [boxes[c] for c in XIONGAN[code] if c in boxes]
    if len(code) > 6:
        code = code[:6]
    if code in boxes:
        return [boxes[code]]
    if code == "130000":
        return list(boxes.values())
    region = refdata.get_region(code)
    if region is None:
        return []
    if region.level == "city":
        return [box for county, box in boxes.items() if county[:4] == code[:4]]
    if region.parent_code:  # a county-level unit without a centre (development zone): its city
        return _boxes_for(region.parent_code)
    return []


def known(code: str) -> bool:
    """Whether the check can say anything about `code` (a Hebei region)."""
    return bool(_boxes_for(code))


def contains(code: str, latitude: float, longitude: float) -> bool:
    """Whether (latitude, longitude) plausibly lies in region `code` (see the module note)."""
    return any(box.contains(latitude, longitude) for box in _boxes_for(code))


def bounds(code: str) -> Box | None:
    """One box around everything the approximation counts as `code` (for maps and hints)."""
    boxes = _boxes_for(code)
    if not boxes:
        return None
    return Box(min(b.south for b in boxes), min(b.west for b in boxes),
               max(b.north for b in boxes), max(b.east for b in boxes))


def area_of(latitude: float, longitude: float) -> str | None:
    """The county whose centre is nearest among those whose box holds the point, or None
    (outside Hebei as far as the approximation knows)."""
    best, best_km = None, math.inf
    for code, box in county_boxes().items():
        if box.contains(latitude, longitude):
            km = distance_km(latitude, longitude, *_centres()[code])
            if km < best_km:
                best, best_km = code, km
    return best
