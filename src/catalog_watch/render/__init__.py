"""Renderers: every word and number format, pure functions from data to text.

The package imports nothing itself (the table of report formats is ``render.formats``), so that
``model.changes`` can word the JSON contract's two sentences with ``render.money`` without an
import cycle through the renderers.
"""
