string_enum! {
    /// The consequence areas of the security policy's vision.
    pub enum Consequence {
        /// Människa: someone was or could have been hurt.
        Person => "person",
        /// Miljö.
        Environment => "environment",
        /// Kulturvärden.
        Cultural => "cultural",
        /// Ekonomiska värden.
        Economic => "economic",
        /// Kommunal service.
        Service => "service",
    }
}
