"""The case desk's logic (steps, deadlines), under the widgets of ftlib.ui.case_desk."""
