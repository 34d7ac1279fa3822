package com.evolutionprovisioner.provisioning.entity;

import java.util.regex.Pattern;

/**
 * The owner's phone number for a pairing code, in international form without '+' or spaces (E.164 digits: country
 * code then number, 8 to 15 digits). Evolution passes it to WhatsApp unchecked, and a wrong one only shows up as a
 * pairing code the phone refuses, so it is checked here.
 */
public record PhoneNumber(String digits) {

    private static final Pattern E164_DIGITS = Pattern.compile("[0-9]{8,15}");

    public PhoneNumber {
        if (digits == null || !E164_DIGITS.matcher(digits).matches()) {
            throw new IllegalArgumentException("\"number\" must be the phone number in international form, digits only "
                    + "(country code first, no '+', spaces or dashes), 8 to 15 digits, e.g. 5511987654321.");
        }
    }
}
