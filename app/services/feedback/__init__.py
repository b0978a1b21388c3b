""" "You said, we did" (issue 8): actions, who hears back, drafts, sending, replies.

- actions.py: what the council did or will do, linked to themes, audit refs, answers
- eligibility.py: who may hear back, and by which channel (asked again right before each send)
- wording.py: the words around the actions, per language, variant and channel
- drafting.py: one draft per person from the actions linked to what they said
- letter.py: the printable easy-read letter (WeasyPrint)
- sending.py: approve, queue, claim -> send -> mark, and recovery after a crash
- worker.py: the RQ job queue (REDIS_URL), or in-process without it
- voice.py: the phone call that speaks a feedback message
- replies.py: "Was this helpful?" and their words
- public.py: the per-review "what changed" page's numbers
"""
