"""The abuse console (`/admin/abuse`): trending sources, the block and allow lists, bulk
invalidation, and the `flask petition block/allow/invalidate` commands for the same.

The lists themselves and the sign-on's check of them live lower down, in petition.screening
(the sign-on form must consult them); this package is the admin side. Trending counts
(trending.py) are read by the dashboard and the queue as well. Sources are shown as email
domains and IP fingerprints (the first characters of the keyed IP hash), never addresses.
"""
