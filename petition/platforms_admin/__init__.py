"""Admin pages for platforms: create and edit them, their texts, versions, resources and
campaign updates. The rules they apply live in platforms/editing/ and endorsements/."""
