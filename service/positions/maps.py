"""Standard map and navigation links for a position. Nothing is loaded from a map service:
these are plain links the worker's phone opens in its own map app (AMap's URI API takes
GCJ-02 coordinates, as stored; a geo: URI is the platform-neutral form)."""
from urllib.parse import quote, urlencode

from models.position import Position


def map_links(position: Position) -> dict:
    lat, lng, name = position.latitude, position.longitude, position.name
    marker = urlencode({"position": f"{lng:.6f},{lat:.6f}", "name": name, "coordinate": "gaode", "callnative": 1})
    route = urlencode({"to": f"{lng:.6f},{lat:.6f},{name}", "mode": "walk", "coordinate": "gaode", "callnative": 1})
    return {
        "amap_marker": f"https://uri.amap.com/marker?{marker}",
        "amap_navigation": f"https://uri.amap.com/navigation?{route}",
        "geo": f"geo:{lat:.6f},{lng:.6f}?q={lat:.6f},{lng:.6f}({quote(name)})",
    }
