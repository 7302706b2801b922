"""Privacy: the privacy notice, retention (purge and anonymize), erasure, and log redaction."""
