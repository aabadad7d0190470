/**
 * One Redis user per component, each limited to the keys, channels and commands its code uses: the rules, and
 * the few calls that create such users. docs/security.md says what each user can and cannot reach.
 */
export { REDIS_COMPONENTS, DEFAULT_REDIS_KEY_NAMES, redisAclRules, type RedisComponent, type RedisKeyNames } from "./rules.js";
export { setAclUser, redisUrlAs, newRedisPassword, redisPasswordHash, type AclUser } from "./users.js";
