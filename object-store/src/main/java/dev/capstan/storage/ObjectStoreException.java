package dev.capstan.storage;

/** The store could not be reached or refused an operation. */
public class ObjectStoreException extends RuntimeException {
  public ObjectStoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
