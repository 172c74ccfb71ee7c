"""Distances and boxes on the earth's surface, in kilometres and degrees (GCJ-02 treated as a
plain latitude/longitude: its offset from WGS-84 is a few hundred metres, the same for every
point of a city, so distances between two GCJ-02 points stay right to a few metres)."""
import math
from dataclasses import dataclass

EARTH_RADIUS_KM = 6371.0088  # IUGG mean radius
KM_PER_DEGREE = math.pi * EARTH_RADIUS_KM / 180  # along a meridian


@dataclass(frozen=True)
class Box:
    south: float
    west: float
    north: float
    east: float

    def contains(self, latitude: float, longitude: float) -> bool:
        return self.south <= latitude <= self.north and self.west <= longitude <= self.east


def distance_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance (haversine)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlmb = math.radians(lng2 - lng1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def box_around(latitude: float, longitude: float, radius_km: float) -> Box:
    """A box that holds every point within `radius_km` (with a small margin for rounding)."""
    dlat = radius_km * 1.001 / KM_PER_DEGREE
    cos_lat = max(math.cos(math.radians(min(89.0, abs(latitude) + dlat))), 1e-6)
    dlng = min(180.0, radius_km * 1.001 / (KM_PER_DEGREE * cos_lat))
    return Box(latitude - dlat, longitude - dlng, latitude + dlat, longitude + dlng)


def valid_point(latitude, longitude) -> tuple[float, float] | None:
    """(lat, lng) as floats if both are finite numbers in range, else None. Accepts strings
    (WeChat sends "38.036347")."""
    try:
        lat, lng = float(latitude), float(longitude)
    except (TypeError, ValueError, OverflowError):
        return None
    if not (math.isfinite(lat) and math.isfinite(lng)) or not (-90 <= lat <= 90 and -180 <= lng <= 180):
        return None
    return lat, lng


def format_distance(km: float) -> str:
    """320米 / 1.4公里 / 12公里"""
    if km < 1:
        return f"{max(10, int(round(km * 1000, -1)))}米"
    if km < 10:
        return f"{km:.1f}公里"
    return f"{round(km)}公里"
