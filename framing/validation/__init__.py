"""Validating the tool on your own corpus: draw a sample of sentences for hand annotation, and score the annotations against the tool."""
