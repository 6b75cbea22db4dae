package io.qbridge.upstream;

import io.vertx.core.Vertx;

/** {@link DeviceLoginStoreContract} on the in-memory stand-in the state-machine tests share between two instances. */
class InMemoryDeviceLoginStoreTest extends DeviceLoginStoreContract {

  @Override
  DeviceLoginStore[] openTwo(Vertx vertx) {
    DeviceLoginStore shared = new InMemoryDeviceLoginStore();
    return new DeviceLoginStore[] {shared, shared};
  }
}
