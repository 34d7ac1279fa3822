package com.evolutionprovisioner.platform;

/** The JSON body of every error answer: a stable machine-readable code and a sentence for people. */
public record ApiError(String error, String message) {
}
