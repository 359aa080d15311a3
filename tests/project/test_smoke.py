from circles.models import CircleMembership
from governance.models import Event


def test_the_world_has_an_organisation_with_circles_and_stewards(world):
    assert world.general.is_general
    assert CircleMembership.objects.current().filter(circle=world.finance).count() == 2
    assert Event.objects.filter(organisation=world.organisation, verb="roster.added").exists()
