"""The entity base, the device anchors and the entity families of each kind of device."""
