import os

import pytest
from django.conf import settings as django_settings
from hypothesis import settings as hypothesis_settings

from . import factories

# Property tests draw the same examples on every run, so make test passes or fails alike each
# time; HYPOTHESIS_PROFILE=explore draws new ones (and remembers failures) when hunting for bugs.
hypothesis_settings.register_profile("repeatable", derandomize=True, database=None)
hypothesis_settings.register_profile("explore", derandomize=False)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _empty_cache():
    """Rate limits and throttles count in the default cache (local memory here): each test starts
    with nothing counted."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language: a request in Russian through the test client
    leaves Russian active in the thread (LocaleMiddleware does not switch back)."""
    from django.utils import translation

    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.activate(django_settings.LANGUAGE_CODE)


@pytest.fixture
def manager(db):
    return factories.ManagerFactory(full_name="Maria Manager")


@pytest.fixture
def founder(db):
    return factories.FounderFactory(full_name="Fyodor Founder")


@pytest.fixture
def mentor(db):
    return factories.MentorFactory(full_name="Mikhail Mentor")


@pytest.fixture
def startup(founder):
    return factories.StartupFactory(founders=[founder])
