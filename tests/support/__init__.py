"""What tests share: loopback servers, sample documents, helpers per protocol."""
