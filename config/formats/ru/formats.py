"""Russian date formats for the cluster: "27 ноября 2026", "27 ноября 2026, 17:34".

Django's own end the date with "г." and put the time straight after it ("27 ноября 2026 г.
17:34"): a sentence that ends with a date then ends with two full stops, and the time reads as
part of the year. The time has two digits for the hour, as in English. Input formats are not set
here, so forms keep accepting Django's."""

DATE_FORMAT = "j E Y"
SHORT_DATE_FORMAT = "d.m.Y"
DATETIME_FORMAT = "j E Y, H:i"
SHORT_DATETIME_FORMAT = "d.m.Y, H:i"
TIME_FORMAT = "H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j E"
FIRST_DAY_OF_WEEK = 1  # Monday
