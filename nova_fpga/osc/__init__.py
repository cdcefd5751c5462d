"""The ``openstack fpga`` commands: a client of nova-api's ``/fpga`` API.

``plugin`` is what python-openstackclient loads, ``client`` speaks the
REST API, ``v1`` holds the commands of API version 1.
"""
