"""Figures by stage; each function returns a matplotlib Figure and the rule saves it
(:func:`painstress.figures.style.save`)."""
