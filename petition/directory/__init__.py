"""The public endorser list: search, filters, counts, exports, open-data API, feeds and embeds.

services.py is what every public surface reads (queries.py, counts.py, listing.py, entries.py
behind it); views.py, api.py (+ openapi.py), feeds.py and exports.py are the surfaces; forms.py
reads their query strings; fictional.py and commands.py generate load-test data.
"""
