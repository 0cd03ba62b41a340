//! Identity primitives shared by the services: password hashing and policy, TOTP and the one
//! check of a second factor, one-time tokens, access-token signing keys, sessions with rotating
//! refresh tokens, member permissions and the security log. The RPCs that use them live in the
//! tenant API (`AuthService`, the user and role parts of `AdminService`); provisioning in the
//! control plane uses the roles.

pub mod invitations;
pub mod lockout;
pub mod memberships;
pub mod password;
pub mod second_factor;
pub mod security_log;
pub mod sessions;
pub mod signing_keys;
pub mod tokens;
pub mod totp;
