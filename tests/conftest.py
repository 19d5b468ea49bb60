import pytest

from . import factories


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


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
