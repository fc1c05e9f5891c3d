//! EVM revisions (hard forks), numbered exactly as EVMC's `evmc_revision`.

use std::fmt;
use std::str::FromStr;

/// An EVM revision. The discriminants equal EVMC's `evmc_revision` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum Revision {
    /// Frontier (2015).
    Frontier = 0,
    /// Homestead (EIP-2, EIP-7).
    Homestead = 1,
    /// Tangerine Whistle (EIP-150).
    TangerineWhistle = 2,
    /// Spurious Dragon (EIP-155/158/161/170).
    SpuriousDragon = 3,
    /// Byzantium.
    Byzantium = 4,
    /// Constantinople (with EIP-1283).
    Constantinople = 5,
    /// Petersburg (Constantinople without EIP-1283).
    Petersburg = 6,
    /// Istanbul.
    Istanbul = 7,
    /// Berlin.
    Berlin = 8,
    /// London.
    London = 9,
    /// Paris (The Merge).
    Paris = 10,
    /// Shanghai.
    Shanghai = 11,
    /// Cancun.
    Cancun = 12,
    /// Prague.
    Prague = 13,
    /// Osaka.
    Osaka = 14,
}

impl Revision {
    /// Every revision, oldest first.
    pub const ALL: [Revision; 15] = [
        Revision::Frontier,
        Revision::Homestead,
        Revision::TangerineWhistle,
        Revision::SpuriousDragon,
        Revision::Byzantium,
        Revision::Constantinople,
        Revision::Petersburg,
        Revision::Istanbul,
        Revision::Berlin,
        Revision::London,
        Revision::Paris,
        Revision::Shanghai,
        Revision::Cancun,
        Revision::Prague,
        Revision::Osaka,
    ];

    /// The newest revision this engine implements.
    pub const LATEST: Revision = Revision::Osaka;

    /// The revision with EVMC number `n`, if this engine knows it.
    pub fn from_evmc(n: i64) -> Option<Revision> {
        usize::try_from(n)
            .ok()
            .and_then(|i| Self::ALL.get(i).copied())
    }

    /// Lower-case canonical name, e.g. `"tangerinewhistle"`.
    pub fn name(self) -> &'static str {
        match self {
            Revision::Frontier => "Frontier",
            Revision::Homestead => "Homestead",
            Revision::TangerineWhistle => "TangerineWhistle",
            Revision::SpuriousDragon => "SpuriousDragon",
            Revision::Byzantium => "Byzantium",
            Revision::Constantinople => "Constantinople",
            Revision::Petersburg => "Petersburg",
            Revision::Istanbul => "Istanbul",
            Revision::Berlin => "Berlin",
            Revision::London => "London",
            Revision::Paris => "Paris",
            Revision::Shanghai => "Shanghai",
            Revision::Cancun => "Cancun",
            Revision::Prague => "Prague",
            Revision::Osaka => "Osaka",
        }
    }
}

impl fmt::Display for Revision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Error for an unknown revision name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownRevision(pub String);

impl fmt::Display for UnknownRevision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown fork '{}' (expected one of frontier, homestead, tangerinewhistle, spuriousdragon, byzantium, constantinople, petersburg, istanbul, berlin, london, paris, shanghai, cancun, prague, osaka)",
            self.0
        )
    }
}

impl std::error::Error for UnknownRevision {}

impl FromStr for Revision {
    type Err = UnknownRevision;

    /// Parses a fork name case-insensitively. Accepts the EVMC names and the names used by the
    /// Ethereum test fixtures (`EIP150`, `EIP158`, `ConstantinopleFix`, `Merge`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let r = match s.to_ascii_lowercase().replace(['_', '-', ' '], "").as_str() {
            "frontier" => Revision::Frontier,
            "homestead" => Revision::Homestead,
            "tangerinewhistle" | "eip150" => Revision::TangerineWhistle,
            "spuriousdragon" | "eip158" => Revision::SpuriousDragon,
            "byzantium" => Revision::Byzantium,
            "constantinople" => Revision::Constantinople,
            "petersburg" | "constantinoplefix" => Revision::Petersburg,
            "istanbul" => Revision::Istanbul,
            "berlin" => Revision::Berlin,
            "london" => Revision::London,
            "paris" | "merge" => Revision::Paris,
            "shanghai" => Revision::Shanghai,
            "cancun" => Revision::Cancun,
            "prague" => Revision::Prague,
            "osaka" => Revision::Osaka,
            _ => return Err(UnknownRevision(s.to_string())),
        };
        Ok(r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_names() {
        assert_eq!("OSAKA".parse::<Revision>().unwrap(), Revision::Osaka);
        assert_eq!(
            "EIP150".parse::<Revision>().unwrap(),
            Revision::TangerineWhistle
        );
        assert_eq!(
            "ConstantinopleFix".parse::<Revision>().unwrap(),
            Revision::Petersburg
        );
        assert!("nope".parse::<Revision>().is_err());
        for r in Revision::ALL {
            assert_eq!(r.name().parse::<Revision>().unwrap(), r);
            assert_eq!(Revision::from_evmc(r as i64), Some(r));
        }
        assert_eq!(Revision::from_evmc(15), None);
        assert_eq!(Revision::from_evmc(-1), None);
    }
}
