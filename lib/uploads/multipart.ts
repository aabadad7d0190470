/**
 * How long a multipart upload may stay incomplete. Past it the storage aborts it and discards its parts (the AWS
 * bucket's lifecycle rule, MinIO's stale-upload expiry in the local stack), and the API forgets its plan: an
 * abandoned upload costs nothing for longer than this.
 */
export const MULTIPART_LIFETIME_HOURS = 24;
