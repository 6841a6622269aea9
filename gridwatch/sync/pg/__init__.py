"""A PostgreSQL + PostGIS shared project: the second kind of shared project, beside the shared folder.

Laptops keep GeoPackage working copies with a base copy and change tracking exactly as with a shared
folder (:mod:`gridwatch.sync.engine`); only the shared side differs.  One database holds one schema
per district with the same tables, codes and constraints as the GeoPackage, plus

* ``gw_change``: a change table filled by triggers (every insert, update and delete of every table,
  numbered in commit order), from which a laptop pulls what changed since its last server sequence;
* a row version (``gw_version``) on every row: a laptop's update or delete applies only if the row is
  still the version it merged against (optimistic; otherwise it pulls again and merges again);
* the judge: a trigger on every table that runs the domain's own policy
  (:mod:`gridwatch.domain.policy`, :mod:`gridwatch.domain.steps`, stored in the schema when it is
  published) as the person behind the database login, plus row-level security policies and grants
  generated from the domain for each group role (one per role of :data:`gridwatch.domain.vocabulary.ROLES`),
  and audit rows stamped with the login and the server's time.  A laptop edited by hand cannot get a
  forbidden edit past it.

Modules: :mod:`.address` (where the server is, credentials), :mod:`.geom` (GeoPackage <-> PostGIS
geometry), :mod:`.schema` (the district's tables, change log and triggers), :mod:`.policy_sql` (roles,
row-level security, the judge), :mod:`.publish` (a GeoPackage or a shared folder onto the server,
logins), :mod:`.rows` (reading and writing rows), :mod:`.store` (check out, sync, doctor).
"""

from __future__ import annotations

from .address import is_server_address

__all__ = ["is_server_address"]
