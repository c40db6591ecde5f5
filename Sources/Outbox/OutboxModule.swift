// Outbox: durable spool with retry. Filled by the Outbox issue.
