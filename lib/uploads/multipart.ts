/**
 * How long a multipart upload may stay incomplete. Past it the API's sweep aborts it and forgets its plan (and on
 * AWS the bucket's lifecycle rule aborts it too): an abandoned upload costs nothing for longer than this.
 */
export const MULTIPART_LIFETIME_HOURS = 24;
