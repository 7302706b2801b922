"""Free mailbox providers: an address there says nothing about an organization, and many
unrelated people share the domain (the review signals and the trending lists use this)."""

FREE_MAIL_DOMAINS = frozenset({
    "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "hotmail.ca", "live.com",
    "live.ca", "msn.com", "yahoo.com", "yahoo.ca", "icloud.com", "me.com", "aol.com",
    "proton.me", "protonmail.com", "videotron.ca", "sympatico.ca", "shaw.ca", "telus.net",
    "rogers.com", "bell.net", "gmx.com", "mail.com", "fastmail.com", "cogeco.ca", "eastlink.ca",
})  # fmt: skip
