"""The counselling handout: composition.py decides what the sheet says (and
refuses one above the reading grade), chart.py draws Table 2, html_page.py
and pdf.py write it. Importing the package loads none of them, so what only
needs the composition (the chat's handout links) loads no drawing library."""
