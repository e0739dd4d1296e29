package dev.charlstm.generate;

import java.io.IOException;

/** A model file that cannot be used: missing, corrupt, truncated, of another format or newer. */
public final class InvalidModelException extends IOException {

    InvalidModelException(String message, Throwable cause) {
        super(message, cause);
    }
}
