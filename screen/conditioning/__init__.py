"""Landmark conditioning: gating, outlier rejection, gap filling, low-pass, leg re-pairing."""
