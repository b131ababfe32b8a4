"""The console channel of ``intake demo``: terminal rendering, scripted witness, round trip."""
