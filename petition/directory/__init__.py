"""The public endorser list: search, filters, counts, exports, open-data API, feeds and embeds."""
