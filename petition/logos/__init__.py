"""Organizations' logos: checked and re-encoded images, where they are kept, how they look.

The pieces here know no feature above them: `images` turns an upload into a clean PNG (or
refuses it with a reason), `storage` keeps files by content hash under MEDIA_ROOT, `models`
records which endorsement a logo belongs to and whether a moderator approved it, `tiles`
draws the text-only stand-in, `cards` the share image. The sign-on and manage forms
(endorsements), the review queue (moderation) and the public wall (directory) use them.
"""
