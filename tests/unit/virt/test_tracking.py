import collections
from unittest import mock

from nova import objects
from nova import test
import os_resource_classes as orc
from oslo_utils.fixture import uuidsentinel as uuids

from nova_fpga.virt import tracking


def resource(identifier, provider=uuids.rp):
    return objects.Resource(provider_uuid=provider, resource_class=orc.FPGA,
                            identifier=identifier)


class TrackForDeletionTest(test.NoDBTestCase):

    def setUp(self):
        super().setUp()
        self.tracker = mock.Mock(tracked_instances=set())
        self.tracker.assigned_resources = collections.defaultdict(
            lambda: collections.defaultdict(set))
        self.instance = objects.Instance(
            uuid=uuids.instance, resources=objects.ResourceList(
                objects=[resource('0000:5e:00.0_port0')]))

    def test_untracked_with_its_region_assigned_is_tracked_again(self):
        self.tracker.assigned_resources[uuids.rp][orc.FPGA].add(
            resource('0000:5e:00.0_port0'))
        self.assertTrue(tracking.track_for_deletion(self.tracker,
                                                    self.instance))
        self.assertEqual({uuids.instance}, self.tracker.tracked_instances)

    def test_tracked_is_left_alone(self):
        self.tracker.tracked_instances.add(uuids.instance)
        self.tracker.assigned_resources[uuids.rp][orc.FPGA].add(
            resource('0000:5e:00.0_port0'))
        self.assertFalse(tracking.track_for_deletion(self.tracker,
                                                     self.instance))

    def test_nothing_assigned_is_left_alone(self):
        # Another instance's region, or this one's in another provider.
        self.tracker.assigned_resources[uuids.rp][orc.FPGA].add(
            resource('0000:5f:00.0_port0'))
        self.tracker.assigned_resources[uuids.other][orc.FPGA].add(
            resource('0000:5e:00.0_port0', uuids.other))
        for resources in (self.instance.resources, None):
            self.instance.resources = resources
            self.assertFalse(tracking.track_for_deletion(self.tracker,
                                                         self.instance))
        self.assertEqual(set(), self.tracker.tracked_instances)
        # Looking did not add classes or providers to the tracker.
        self.assertEqual({uuids.rp, uuids.other},
                         set(self.tracker.assigned_resources))
