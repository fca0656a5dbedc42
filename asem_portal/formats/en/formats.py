"""The portal's formats in English: one way to write a date in text, everywhere (pages, e-mails, exports'
labels, messages). Native date inputs keep ISO dates (DATE_INPUT_FORMATS is the locale's, ISO first).

Times always name their time zone (``T``: "UTC" with the default TIME_ZONE), so that a history read from
another continent is not misread.
"""

DATE_FORMAT = "j F Y"  # 7 December 2026
DATETIME_FORMAT = "j F Y, H:i T"  # 7 December 2026, 14:05 UTC
TIME_FORMAT = "H:i T"
SHORT_DATE_FORMAT = "j M Y"  # 7 Dec 2026
SHORT_DATETIME_FORMAT = "j M Y, H:i T"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
