/// Declares a closed set of values stored and sent as snake_case strings, with
/// `as_str`, `FromStr`, `ALL` and serde/OpenAPI support, so no status is ever a bare string.
macro_rules! string_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident { $( $(#[$vmeta:meta])* $variant:ident => $text:literal ),+ $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
                 serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
        // The wire names are the snake_case variant names; `domain::tests` checks that
        // they equal the texts below (utoipa cannot read a macro-made `rename`).
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $( $(#[$vmeta])* $variant ),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl std::str::FromStr for $name {
            type Err = ();
            fn from_str(s: &str) -> Result<Self, ()> {
                match s { $($text => Ok($name::$variant),)+ _ => Err(()) }
            }
        }

        #[cfg(test)]
        impl $name {
            #[allow(dead_code)]
            pub fn assert_wire_names() {
                for v in Self::ALL {
                    assert_eq!(serde_json::to_value(v).unwrap(), serde_json::json!(v.as_str()));
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
