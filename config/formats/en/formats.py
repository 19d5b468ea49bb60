"""English date formats for the cluster: day, month name and year, with the 24-hour clock.

Django's default English formats are American (11/27/2026, 5:34 p.m.); "3/4/2026" reads as two
different days to the cluster's European users. These say "27 November 2026, 17:34" (short:
"27 Nov 2026, 17:34") on every page. Input formats are not set here, so forms keep accepting
Django's."""

DATE_FORMAT = "j F Y"
SHORT_DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
TIME_FORMAT = "H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
FIRST_DAY_OF_WEEK = 1  # Monday
