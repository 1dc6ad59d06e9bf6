// Integration tests start containers and services: give them room. Unit tests keep jest's default.
jest.setTimeout(120_000);
