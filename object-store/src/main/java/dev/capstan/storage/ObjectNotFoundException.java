package dev.capstan.storage;

/** The key names no object. */
public class ObjectNotFoundException extends ObjectStoreException {
  public ObjectNotFoundException(String key) {
    super("no object at " + key, null);
  }
}
