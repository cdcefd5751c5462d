"""The cloud-wide FPGA API: every region of the cloud, from one place.

A stateless WSGI application, served inside nova-api's paste pipeline (a
urlmap entry behind Nova's keystone filters) or on its own. It reads the
regions from the computes' records in Nova's cell databases and Placement,
and reaches a region's compute over Nova's RPC transport.
"""
